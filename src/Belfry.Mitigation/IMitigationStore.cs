using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>
/// A route Belfry announced and the attacks that hold it: what must survive a restart of Belfry
/// (so its routes are withdrawn after their hold time, not left announced) and of gobgpd (so the
/// routes of ongoing attacks are announced again).
/// </summary>
/// <param name="Id">The route's identity (<see cref="MitigationId"/>).</param>
/// <param name="Kind">Blackhole or Flowspec.</param>
/// <param name="Target">The blackholed host route or the Flowspec destination.</param>
/// <param name="Definition">What to announce again: the Flowspec rule's gobgp arguments, or the blackhole's host address.</param>
/// <param name="Reason">Why it was announced (the first attack's description).</param>
/// <param name="Attacks">Ids of the attacks that hold the route; the route goes when the last one has expired.</param>
/// <param name="AnnouncedAt">When Belfry first announced it.</param>
/// <param name="WithdrawAfter">When every holding attack has ended: the time after which the route is withdrawn (end + hold time); null while an attack is active.</param>
public sealed record RouteOwnership(
    MitigationId Id,
    MitigationKind Kind,
    NetPrefix Target,
    string Definition,
    string Reason,
    IReadOnlyList<string> Attacks,
    DateTime AnnouncedAt,
    DateTime? WithdrawAfter);

/// <summary>
/// Durable record of which attack owns which announced route. One row per route; saving a route
/// again replaces it. Implementations: the SQLite store (one database per deployment) and, for
/// tests, <see cref="InMemoryMitigationStore"/>.
/// </summary>
public interface IMitigationStore
{
    /// <summary>Every route Belfry believes it has announced.</summary>
    Task<IReadOnlyList<RouteOwnership>> ListRoutesAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces the route with <see cref="RouteOwnership.Id"/>.</summary>
    Task SaveRouteAsync(RouteOwnership route, CancellationToken cancellationToken = default);

    /// <summary>Forgets a withdrawn route; removing an unknown id does nothing.</summary>
    Task RemoveRouteAsync(MitigationId id, CancellationToken cancellationToken = default);
}

/// <summary>A process-local <see cref="IMitigationStore"/> for tests and dry runs.</summary>
public sealed class InMemoryMitigationStore : IMitigationStore
{
    readonly Dictionary<MitigationId, RouteOwnership> _routes = [];

    public Task<IReadOnlyList<RouteOwnership>> ListRoutesAsync(CancellationToken cancellationToken = default)
    {
        lock (_routes)
        {
            return Task.FromResult<IReadOnlyList<RouteOwnership>>([.. _routes.Values.OrderBy(r => r.Id.Value, StringComparer.Ordinal)]);
        }
    }

    public Task SaveRouteAsync(RouteOwnership route, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        lock (_routes)
        {
            _routes[route.Id] = route;
        }
        return Task.CompletedTask;
    }

    public Task RemoveRouteAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        lock (_routes)
        {
            _routes.Remove(id);
        }
        return Task.CompletedTask;
    }
}
