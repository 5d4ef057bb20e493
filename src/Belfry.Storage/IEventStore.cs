using Belfry.Core.Constituency;
using Belfry.Core.Events;

namespace Belfry.Storage;

/// <summary>A rejected input record kept for the analyst (the quarantine).</summary>
public sealed record QuarantinedRecord(long Id, DateTime ReceivedAt, string Feed, string? File, long Line, string Raw, string Reason);

/// <summary>One notification that was delivered (or written to the outbox).</summary>
public sealed record NotificationRecord(
    string Organisation,
    DateTime SentAt,
    string Channel,
    string Recipient,
    string Subject,
    int EventCount,
    string MessageId);

/// <summary>Filter for reading events back.</summary>
public sealed record EventQuery
{
    public string? Organisation { get; init; }
    public DateTime? Since { get; init; }
    public string? Feed { get; init; }

    /// <summary>Only events the reader may see under TLP (marking &lt;= clearance).</summary>
    public Tlp Clearance { get; init; } = Tlp.Red;

    /// <summary>Only events not yet included in a notification (for digests).</summary>
    public bool OnlyUnnotified { get; init; }

    public int? Limit { get; init; }
}

/// <summary>Result of writing a batch: how many were new, how many were already stored.</summary>
public readonly record struct StoreResult(int Inserted, int Duplicates);

/// <summary>Thrown for storage failures; <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public sealed class StorageException : Exception
{
    public StorageException(string message, bool isTransient, Exception? inner = null)
        : base(message, inner) => IsTransient = isTransient;

    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public bool IsTransient { get; }
}

/// <summary>
/// Durable storage of events, the quarantine, organisations and sent notifications. A batch is
/// written in one transaction; writing the same batch twice stores it once (ids are deterministic).
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<StoreResult> StoreEventsAsync(IReadOnlyList<Event> batch, CancellationToken cancellationToken = default);

    Task StoreRejectionsAsync(IReadOnlyList<QuarantinedRecord> batch, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Event> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    Task<long> CountEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    IAsyncEnumerable<QuarantinedRecord> QueryQuarantineAsync(int limit, CancellationToken cancellationToken = default);

    Task<long> CountQuarantineAsync(CancellationToken cancellationToken = default);

    Task UpsertOrganisationsAsync(IReadOnlyList<Organisation> organisations, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Organisation>> GetOrganisationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a sent notification and marks its events as notified, atomically.</summary>
    Task RecordNotificationAsync(NotificationRecord notification, IReadOnlyList<EventId> events, CancellationToken cancellationToken = default);

    IAsyncEnumerable<NotificationRecord> QueryNotificationsAsync(string? organisation, CancellationToken cancellationToken = default);
}

/// <summary>
/// A store that also takes events encoded ahead of time, on the producer's thread
/// (<see cref="EventRowEncoder"/>): the ingest pipeline uses it so the store thread only binds bytes
/// and events never outlive their batch. Same semantics as <see cref="IEventStore.StoreEventsAsync"/>:
/// all the batches are written in one transaction, an id already stored counts as a duplicate.
/// </summary>
public interface IEncodedEventStore
{
    /// <summary>An encoder for this store (one per producer thread).</summary>
    Task<EventRowEncoder> CreateRowEncoderAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the rows of <paramref name="batches"/> in one transaction. The batches are enumerated
    /// once, inside the transaction, and each is read only until the enumerator moves on: a producer
    /// may refill a batch then (the rows are bound), and may wait for its next batch in MoveNext.
    /// </summary>
    Task<StoreResult> StoreEncodedAsync(IEnumerable<EncodedEventBatch> batches, CancellationToken cancellationToken = default);
}
