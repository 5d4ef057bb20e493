using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>
/// What the <see cref="MitigationManager"/> may do on its own. A blackhole drops all traffic to the
/// target, so it is the exception: only for host groups that ask for it, never for whitelisted
/// prefixes, and never more than <see cref="MaxBlackholes"/> at a time. Flowspec rules only drop the
/// attack's vector and are the default.
/// </summary>
public sealed record MitigationPolicy
{
    /// <summary>The host group name that stands for all host groups in <see cref="BlackholeHostGroups"/>.</summary>
    public const string AllHostGroups = "*";

    /// <summary>Prefixes that are never blackholed (name servers, the platform itself, ...); Flowspec still applies.</summary>
    public IReadOnlyList<NetPrefix> NeverBlackhole { get; init; } = [];

    /// <summary>Most blackholes active at once, counting manual ones.</summary>
    public int MaxBlackholes { get; init; } = 32;

    /// <summary>Most Flowspec rules active at once, counting manual ones.</summary>
    public int MaxFlowspecRules { get; init; } = 512;

    /// <summary>How long after an attack ends its mitigations stay, against an attack that pauses and comes back.</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Host groups whose attacked hosts are blackholed automatically; <see cref="AllHostGroups"/> for every group.</summary>
    public IReadOnlySet<string> BlackholeHostGroups { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Announce a Flowspec rule for each attack vector.</summary>
    public bool Flowspec { get; init; } = true;

    /// <summary>The action of automatic Flowspec rules.</summary>
    public FlowspecAction DefaultAction { get; init; } = FlowspecAction.Discard;

    /// <summary>Actions by vector (canonical names, see <see cref="FlowspecVectors.Normalize"/>), e.g. rate-limit SYN instead of discarding it.</summary>
    public IReadOnlyDictionary<string, FlowspecAction> VectorActions { get; init; } = new Dictionary<string, FlowspecAction>(StringComparer.Ordinal);

    /// <summary>Wait before the first retry of a failed router call; each further failure doubles it, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries of a failed router call.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often <see cref="MitigationManager.TickAsync"/> reads the RIB back and re-announces owned routes it lost (a gobgpd restart).</summary>
    public TimeSpan RibCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after the <paramref name="failures"/>-th consecutive failure (1-based): exponential, capped.</summary>
    public TimeSpan RetryDelay(int failures)
    {
        var delay = RetryInitialDelay;
        for (var i = 1; i < failures && delay < RetryMaxDelay; i++)
        {
            delay += delay;
        }
        return delay < RetryMaxDelay ? delay : RetryMaxDelay;
    }

    public bool BlackholesHostGroup(string? hostGroup) =>
        BlackholeHostGroups.Contains(AllHostGroups) || (hostGroup is not null && BlackholeHostGroups.Contains(hostGroup));

    public FlowspecAction ActionFor(string vector) =>
        VectorActions.TryGetValue(FlowspecVectors.Normalize(vector), out var a) ? a : DefaultAction;

    /// <summary>Whether <paramref name="target"/> may be blackholed now; the reason when not.</summary>
    public bool TryAllowBlackhole(NetPrefix target, int activeBlackholes, out string reason)
    {
        if (target.Length != (target.IsV4 ? 32 : 128))
        {
            reason = $"{target} is not a host route: only /32 and /128 are blackholed; Flowspec covers prefixes.";
            return false;
        }
        foreach (var w in NeverBlackhole)
        {
            if (w.IsV4 == target.IsV4 && w.Contains(target.Network))
            {
                reason = $"{target.Network} is in the whitelisted prefix {w}, which is never blackholed.";
                return false;
            }
        }
        if (activeBlackholes >= MaxBlackholes)
        {
            reason = $"{activeBlackholes} blackholes are active, the maximum is {MaxBlackholes}.";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>Whether another Flowspec rule may be announced now; the reason when not.</summary>
    public bool TryAllowFlowspec(int activeRules, out string reason)
    {
        if (activeRules >= MaxFlowspecRules)
        {
            reason = $"{activeRules} Flowspec rules are active, the maximum is {MaxFlowspecRules}.";
            return false;
        }
        reason = "";
        return true;
    }
}
