namespace Belfry.Ddos.Attacks;

/// <summary>
/// Durable attacks: one record per attack, replaced by each of its events, for
/// <c>belfry attacks list</c> and the web. Implemented by the deployment's store
/// (<c>Belfry.Storage.Sqlite.SqliteStore</c>, in the one database with the events).
/// </summary>
public interface IAttackStore
{
    /// <summary>Inserts the attack, or replaces the record with the same id.</summary>
    Task SaveAttackAsync(Attack attack, CancellationToken cancellationToken = default);

    /// <summary>Saves the attack an event carries (the record reflects the latest event).</summary>
    Task SaveAttackAsync(AttackEvent attackEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attackEvent);
        return SaveAttackAsync(attackEvent.Attack, cancellationToken);
    }

    Task<Attack?> GetAttackAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The most recent attacks (by start), newest first; only those started at or after <paramref name="since"/> when given.</summary>
    Task<IReadOnlyList<Attack>> ListRecentAttacksAsync(int limit = 50, DateTime? since = null, CancellationToken cancellationToken = default);

    Task<long> CountAttacksAsync(CancellationToken cancellationToken = default);
}
