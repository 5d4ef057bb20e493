using Belfry.Core.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Belfry.Mitigation;

/// <summary>
/// Turns attack notifications into mitigations under a <see cref="MitigationPolicy"/>: a Flowspec
/// rule per vector, a blackhole for host groups that ask for one, and withdrawal once an attack has
/// been over for the hold time (driven by <see cref="TickAsync"/>, so tests and the host choose the
/// clock). A route shared by several attacks stays until the last one expires; manual announcements
/// are never withdrawn automatically. Operations are serialised; failures become outcomes, not throws.
/// </summary>
public sealed class MitigationManager : IDisposable
{
    readonly IMitigator _mitigator;
    readonly ILogger _logger;
    readonly SemaphoreSlim _gate = new(1, 1);

    // Guarded by lock (_attacks): OnAttackEnded is synchronous and may run during an operation.
    readonly Dictionary<string, AttackState> _attacks = new(StringComparer.Ordinal);
    readonly HashSet<MitigationId> _manual = [];
    readonly HashSet<MitigationId> _pendingWithdrawal = [];

    public MitigationManager(IMitigator mitigator, MitigationPolicy policy, ILogger<MitigationManager>? logger = null)
    {
        _mitigator = mitigator ?? throw new ArgumentNullException(nameof(mitigator));
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public MitigationPolicy Policy { get; }

    sealed class AttackState(NetPrefix target)
    {
        public NetPrefix Target { get; } = target;
        public HashSet<string> Vectors { get; } = new(StringComparer.Ordinal);
        public HashSet<MitigationId> Mitigations { get; } = [];
        public bool Blackholed { get; set; }
        public DateTime? EndedAt { get; set; }
    }

    /// <summary>Host-address form of <see cref="OnAttackStartedAsync(string, NetPrefix, IReadOnlyList{string}, string?, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<MitigationOutcome>> OnAttackStartedAsync(string attackId, NetAddress target, IReadOnlyList<string> vectors,
        string? hostGroup = null, CancellationToken cancellationToken = default) =>
        OnAttackStartedAsync(attackId, new NetPrefix(target, target.IsV4 ? 32 : 128), vectors, hostGroup, cancellationToken);

    /// <summary>
    /// An attack started on <paramref name="target"/>, or an active attack changed its vectors (call
    /// again with the same id: new vectors get their rules, and an ended attack is active again).
    /// </summary>
    public async Task<IReadOnlyList<MitigationOutcome>> OnAttackStartedAsync(string attackId, NetPrefix target, IReadOnlyList<string> vectors,
        string? hostGroup = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attackId);
        ArgumentNullException.ThrowIfNull(vectors);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AttackState state;
            lock (_attacks)
            {
                if (!_attacks.TryGetValue(attackId, out state!))
                {
                    state = new AttackState(target);
                    _attacks.Add(attackId, state);
                }
                state.EndedAt = null;
            }
            var outcomes = new List<MitigationOutcome>();
            var active = await _mitigator.ListActiveAsync(cancellationToken).ConfigureAwait(false);
            var activeIds = active.Select(m => m.Id).ToHashSet();
            var reason = $"attack {attackId} on {target}: {string.Join(", ", vectors)}";

            if (Policy.Flowspec)
            {
                foreach (var vector in vectors.Select(FlowspecVectors.Normalize).Distinct())
                {
                    if (!state.Vectors.Add(vector))
                    {
                        continue;
                    }
                    if (!FlowspecVectors.TryGetRule(vector, state.Target, Policy.ActionFor(vector), out var rule))
                    {
                        Log.NoRuleForVector(_logger, attackId, state.Target, vector);
                        outcomes.Add(new MitigationOutcome(MitigationStatus.Skipped, null, $"no Flowspec rule for vector '{vector}'"));
                        continue;
                    }
                    var flowspecCount = active.Count(m => m.Kind == MitigationKind.Flowspec);
                    outcomes.Add(await AnnounceAsync(attackId, state, rule.Id, activeIds, () =>
                        Policy.TryAllowFlowspec(flowspecCount, out var why) ? null : why,
                        ct => _mitigator.AnnounceFlowspecAsync(rule, reason, ct), "Flowspec", cancellationToken).ConfigureAwait(false));
                    if (outcomes[^1].Status != MitigationStatus.Announced)
                    {
                        // Not covered: the next update of this attack tries again.
                        state.Vectors.Remove(vector);
                    }
                    else if (outcomes[^1].Mitigation is { } m && !active.Any(a => a.Id == m.Id))
                    {
                        active = [.. active, m];
                    }
                }
            }

            if (!state.Blackholed && Policy.BlackholesHostGroup(hostGroup))
            {
                var blackholeCount = active.Count(m => m.Kind == MitigationKind.Blackhole);
                var id = MitigationId.ForBlackhole(state.Target);
                var outcome = await AnnounceAsync(attackId, state, id, activeIds, () =>
                    Policy.TryAllowBlackhole(state.Target, blackholeCount, out var why) ? null : why,
                    ct => _mitigator.AnnounceBlackholeAsync(state.Target.Network, reason, ct), "blackhole", cancellationToken).ConfigureAwait(false);
                state.Blackholed = outcome.Status == MitigationStatus.Announced;
                outcomes.Add(outcome);
            }
            return outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<MitigationOutcome> AnnounceAsync(string owner, AttackState state, MitigationId id, HashSet<MitigationId> activeIds,
        Func<string?> refusal, Func<CancellationToken, Task<Mitigation>> announce, string kind, CancellationToken cancellationToken)
    {
        if (activeIds.Contains(id))
        {
            lock (_attacks)
            {
                state.Mitigations.Add(id);
                _pendingWithdrawal.Remove(id);
            }
            return new MitigationOutcome(MitigationStatus.Announced, id, $"already active, now also for attack {owner}");
        }
        if (refusal() is { } why)
        {
            Log.Refused(_logger, kind, state.Target.ToString(), why);
            return new MitigationOutcome(MitigationStatus.Refused, id, why);
        }
        try
        {
            var m = await announce(cancellationToken).ConfigureAwait(false);
            lock (_attacks)
            {
                state.Mitigations.Add(id);
                _pendingWithdrawal.Remove(id);
            }
            activeIds.Add(id);
            return new MitigationOutcome(MitigationStatus.Announced, id, $"announced for attack {owner}") { Mitigation = m };
        }
        catch (MitigationException e)
        {
            Log.Failed(_logger, id.Value, e.Message);
            return new MitigationOutcome(MitigationStatus.Failed, id, e.Message);
        }
    }

    /// <summary>The attack ended at <paramref name="endedAt"/>; its mitigations go <see cref="MitigationPolicy.HoldTime"/> later.</summary>
    /// <returns>False for an unknown attack.</returns>
    public bool OnAttackEnded(string attackId, DateTime endedAt)
    {
        ArgumentNullException.ThrowIfNull(attackId);
        lock (_attacks)
        {
            if (!_attacks.TryGetValue(attackId, out var state))
            {
                return false;
            }
            state.EndedAt = endedAt;
            return true;
        }
    }

    /// <summary>Withdraws the mitigations of attacks that ended at least the hold time before <paramref name="now"/>,
    /// and retries withdrawals that failed before.</summary>
    public async Task<IReadOnlyList<MitigationOutcome>> TickAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<MitigationId> due;
            lock (_attacks)
            {
                foreach (var (attackId, state) in _attacks.Where(a => a.Value.EndedAt is { } end && end + Policy.HoldTime <= now).ToList())
                {
                    _attacks.Remove(attackId);
                    foreach (var id in state.Mitigations)
                    {
                        if (!_manual.Contains(id) && !_attacks.Values.Any(other => other.Mitigations.Contains(id)))
                        {
                            _pendingWithdrawal.Add(id);
                        }
                    }
                }
                due = [.. _pendingWithdrawal];
            }
            var outcomes = new List<MitigationOutcome>();
            foreach (var id in due)
            {
                var outcome = await WithdrawCoreAsync(id, cancellationToken).ConfigureAwait(false);
                if (outcome.Status != MitigationStatus.Failed)
                {
                    lock (_attacks)
                    {
                        _pendingWithdrawal.Remove(id);
                    }
                }
                outcomes.Add(outcome);
            }
            return outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An operator's blackhole: not tied to a host group, but still under the whitelist and the maximum.</summary>
    public async Task<MitigationOutcome> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var prefix = new NetPrefix(target, target.IsV4 ? 32 : 128);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var active = await _mitigator.ListActiveAsync(cancellationToken).ConfigureAwait(false);
            var id = MitigationId.ForBlackhole(prefix);
            var count = active.Count(m => m.Kind == MitigationKind.Blackhole && m.Id != id);
            if (!Policy.TryAllowBlackhole(prefix, count, out var why))
            {
                Log.Refused(_logger, "blackhole", prefix.ToString(), why);
                return new MitigationOutcome(MitigationStatus.Refused, id, why);
            }
            return await ManualAsync(id, ct => _mitigator.AnnounceBlackholeAsync(target, reason, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An operator's Flowspec rule, under the maximum number of rules.</summary>
    public async Task<MitigationOutcome> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(reason);
        if (!rule.TryValidate(out var error))
        {
            return new MitigationOutcome(MitigationStatus.Refused, rule.Id, error);
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var active = await _mitigator.ListActiveAsync(cancellationToken).ConfigureAwait(false);
            var count = active.Count(m => m.Kind == MitigationKind.Flowspec && m.Id != rule.Id);
            if (!Policy.TryAllowFlowspec(count, out var why))
            {
                Log.Refused(_logger, "Flowspec", rule.Destination.ToString(), why);
                return new MitigationOutcome(MitigationStatus.Refused, rule.Id, why);
            }
            return await ManualAsync(rule.Id, ct => _mitigator.AnnounceFlowspecAsync(rule, reason, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<MitigationOutcome> ManualAsync(MitigationId id, Func<CancellationToken, Task<Mitigation>> announce, CancellationToken cancellationToken)
    {
        try
        {
            var m = await announce(cancellationToken).ConfigureAwait(false);
            lock (_attacks)
            {
                _manual.Add(id);
                _pendingWithdrawal.Remove(id);
            }
            return new MitigationOutcome(MitigationStatus.Announced, id, "announced by an operator") { Mitigation = m };
        }
        catch (MitigationException e)
        {
            Log.Failed(_logger, id.Value, e.Message);
            return new MitigationOutcome(MitigationStatus.Failed, id, e.Message);
        }
    }

    /// <summary>An operator's withdrawal: it wins over the attacks that own the route.</summary>
    public async Task<MitigationOutcome> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_attacks)
            {
                _manual.Remove(id);
                _pendingWithdrawal.Remove(id);
                foreach (var state in _attacks.Values)
                {
                    state.Mitigations.Remove(id);
                    if (id == MitigationId.ForBlackhole(state.Target))
                    {
                        // Stays off for this attack: an operator took it down.
                        state.Blackholed = true;
                    }
                }
            }
            return await WithdrawCoreAsync(id, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The mitigations active in the router now.</summary>
    public Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default) =>
        _mitigator.ListActiveAsync(cancellationToken);

    /// <summary>The attacks being tracked, with their mitigations and end time.</summary>
    public IReadOnlyList<(string AttackId, NetPrefix Target, IReadOnlyList<MitigationId> Mitigations, DateTime? EndedAt)> Attacks
    {
        get
        {
            lock (_attacks)
            {
                return [.. _attacks.OrderBy(a => a.Key, StringComparer.Ordinal)
                    .Select(a => (a.Key, a.Value.Target, (IReadOnlyList<MitigationId>)[.. a.Value.Mitigations], a.Value.EndedAt))];
            }
        }
    }

    async Task<MitigationOutcome> WithdrawCoreAsync(MitigationId id, CancellationToken cancellationToken)
    {
        try
        {
            return await _mitigator.WithdrawAsync(id, cancellationToken).ConfigureAwait(false)
                ? new MitigationOutcome(MitigationStatus.Withdrawn, id, "withdrawn")
                : new MitigationOutcome(MitigationStatus.NotActive, id, "was not active");
        }
        catch (MitigationException e)
        {
            Log.Failed(_logger, id.Value, e.Message);
            return new MitigationOutcome(MitigationStatus.Failed, id, e.Message);
        }
    }

    public void Dispose() => _gate.Dispose();
}
