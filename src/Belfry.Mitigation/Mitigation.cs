using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>
/// The identity of an announced route: deterministic from what is announced ("blackhole
/// 198.51.100.7/32", "flowspec ipv4 destination 198.51.100.0/24 protocol udp source-port ==53"),
/// so announcing the same thing twice names the same route, as in BGP.
/// </summary>
public readonly record struct MitigationId(string Value)
{
    public static MitigationId ForBlackhole(NetPrefix target) => new("blackhole " + target);

    public override string ToString() => Value;
}

public enum MitigationKind
{
    Blackhole,
    Flowspec,
}

/// <summary>An announced mitigation as the mitigator knows it.</summary>
public sealed record Mitigation
{
    public required MitigationId Id { get; init; }
    public required MitigationKind Kind { get; init; }

    /// <summary>The blackholed host route, or the Flowspec destination.</summary>
    public required NetPrefix Target { get; init; }

    /// <summary>Why it was announced; empty when found in the router but not announced by this process.</summary>
    public string Reason { get; init; } = "";

    /// <summary>When it was announced; null when found in the router but not announced by this process.</summary>
    public DateTimeOffset? AnnouncedAt { get; init; }

    /// <summary>The Flowspec rule, for <see cref="MitigationKind.Flowspec"/>.</summary>
    public FlowspecRule? Rule { get; init; }

    /// <summary>The discard next hop of a blackhole route.</summary>
    public NetAddress? NextHop { get; init; }

    public IReadOnlyList<BgpCommunity> Communities { get; init; } = [];

    public override string ToString() => Reason.Length == 0 ? Id.Value : $"{Id} ({Reason})";

    /// <summary>The blackhole route a mitigator announces for <paramref name="target"/> (both mitigators build it the same way).</summary>
    public static Mitigation Blackhole(NetAddress target, string reason, BgpOptions options, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = GoBgp.GoBgpCommand.HostPrefix(target);
        return new Mitigation
        {
            Id = MitigationId.ForBlackhole(prefix),
            Kind = MitigationKind.Blackhole,
            Target = prefix,
            Reason = reason,
            AnnouncedAt = at,
            NextHop = options.NextHopFor(target),
            Communities = options.BlackholeCommunities(),
        };
    }

    /// <summary>The Flowspec route a mitigator announces for a validated <paramref name="rule"/>.</summary>
    public static Mitigation Flowspec(FlowspecRule rule, string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new Mitigation
        {
            Id = rule.Id,
            Kind = MitigationKind.Flowspec,
            Target = rule.Destination,
            Reason = reason,
            AnnouncedAt = at,
            Rule = rule,
        };
    }
}

/// <summary>
/// Announces and withdraws mitigation routes. Implementations: <see cref="GoBgp.GoBgpMitigator"/>
/// (a real gobgpd) and <see cref="DryRunMitigator"/> (logs only). Policy (whitelists, limits) is not
/// their concern: see <see cref="MitigationManager"/>.
/// </summary>
public interface IMitigator
{
    /// <summary>
    /// Announces a /32 or /128 route for <paramref name="target"/> towards the discard next hop,
    /// with the RFC 7999 BLACKHOLE community. Announcing an active blackhole again is harmless.
    /// </summary>
    /// <exception cref="MitigationException">The router refused or could not be reached.</exception>
    Task<Mitigation> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default);

    /// <summary>Announces a Flowspec rule (RFC 8955). A rule with the same match replaces the action.</summary>
    /// <exception cref="MitigationException">The router refused or could not be reached, or the rule is invalid.</exception>
    Task<Mitigation> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default);

    /// <summary>Withdraws a route. Returns false when it was not active.</summary>
    /// <exception cref="MitigationException">The router refused or could not be reached.</exception>
    Task<bool> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default);

    /// <summary>The mitigations active now.</summary>
    Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default);
}

/// <summary>The one exception root of this library: a router that failed or refused a request.</summary>
public sealed class MitigationException : Exception
{
    public MitigationException()
    {
    }

    public MitigationException(string message) : base(message)
    {
    }

    public MitigationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
