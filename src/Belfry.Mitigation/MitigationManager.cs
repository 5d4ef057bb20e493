using Belfry.Core.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Belfry.Mitigation;

/// <summary>
/// Turns attack notifications into mitigations under a <see cref="MitigationPolicy"/>: a Flowspec
/// rule per vector, a blackhole for host groups that ask for one, and withdrawal once an attack has
/// been over for the hold time (driven by <see cref="TickAsync"/>, so tests and the host choose the
/// clock). A route shared by several attacks stays until the last one expires; manual announcements
/// are never withdrawn automatically. Operations are serialised.
/// </summary>
/// <remarks>
/// Nothing the router does can make it throw: every failure of the <see cref="IMitigator"/> (any
/// exception, a timeout) becomes a <see cref="MitigationStatus.Failed"/> outcome and a retry that
/// <see cref="TickAsync"/> runs with exponential backoff (<see cref="MitigationPolicy.RetryDelay"/>).
/// After one failure the rest of the same operation is deferred the same way, so a hung gobgpd costs
/// one command timeout per operation, not one per route. Which attack owns which route is kept in an
/// <see cref="IMitigationStore"/>: <see cref="ReconcileAsync"/> takes it over after a restart of
/// Belfry, and the RIB check of <see cref="TickAsync"/> re-announces owned routes that gobgpd lost.
/// Routes Belfry does not own are never touched.
/// </remarks>
public sealed class MitigationManager : IDisposable
{
    readonly IMitigator _mitigator;
    readonly IMitigationStore _store;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly SemaphoreSlim _gate = new(1, 1);

    // Guarded by lock (_attacks): OnAttackEnded is synchronous and may run during an operation.
    readonly Dictionary<string, AttackState> _attacks = new(StringComparer.Ordinal);

    // The rest is touched only under _gate.
    readonly Dictionary<MitigationId, OwnedRoute> _owned = [];
    readonly Dictionary<MitigationId, Retry> _pendingWithdrawal = [];
    readonly Dictionary<MitigationId, PendingAnnouncement> _pendingAnnouncement = [];
    readonly HashSet<MitigationId> _unsaved = [];
    bool _ownershipChanged;
    int _routerFailures;
    bool _routerRecovered;
    DateTime _nextRibCheck = DateTime.MinValue;

    public MitigationManager(IMitigator mitigator, MitigationPolicy policy, ILogger<MitigationManager>? logger = null,
        IMitigationStore? store = null, TimeProvider? time = null)
    {
        _mitigator = mitigator ?? throw new ArgumentNullException(nameof(mitigator));
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _store = store ?? new InMemoryMitigationStore();
        _time = time ?? TimeProvider.System;
    }

    public MitigationPolicy Policy { get; }

    /// <summary>Consecutive failed router calls; 0 when the last call succeeded.</summary>
    public int RouterFailures => Volatile.Read(ref _routerFailures);

    sealed class AttackState(NetPrefix target)
    {
        public NetPrefix Target { get; } = target;
        public HashSet<string> Vectors { get; } = new(StringComparer.Ordinal);
        public HashSet<MitigationId> Mitigations { get; } = [];
        public bool Blackholed { get; set; }
        public DateTime? EndedAt { get; set; }

        /// <summary>When its routes may go: end + hold time; null while active.</summary>
        public DateTime? DueAt { get; set; }
    }

    /// <summary>A route Belfry announced: what to announce again and whether an operator owns it.</summary>
    sealed record OwnedRoute(MitigationId Id, MitigationKind Kind, NetPrefix Target, FlowspecRule? Rule, string Reason, DateTime AnnouncedAt, bool Manual)
    {
        public string Definition => Rule?.ToDefinition() ?? Target.Network.ToString();
    }

    sealed class Retry(DateTime dueAt, DateTime nextAt)
    {
        /// <summary>When the route became due for withdrawal (kept in the store as WithdrawAfter).</summary>
        public DateTime DueAt { get; } = dueAt;
        public DateTime NextAt { get; set; } = nextAt;
        public int Failures { get; set; }
    }

    sealed class PendingAnnouncement(MitigationId id, MitigationKind kind, NetPrefix target, FlowspecRule? rule, string reason)
    {
        public MitigationId Id { get; } = id;
        public MitigationKind Kind { get; } = kind;
        public NetPrefix Target { get; } = target;
        public FlowspecRule? Rule { get; } = rule;
        public string Reason { get; } = reason;

        /// <summary>Attack id → vector (null for the blackhole) that wants this route.</summary>
        public Dictionary<string, string?> Owners { get; } = new(StringComparer.Ordinal);
        public DateTime NextAt { get; set; }
        public int Failures { get; set; }
    }

    /// <summary>One operation's view of the router: once a call failed, the rest is deferred.</summary>
    sealed class Operation(DateTime now)
    {
        public DateTime Now { get; } = now;
        public string? Failure { get; set; }
        public List<MitigationOutcome> Outcomes { get; } = [];
    }

    /// <summary>Host-address form of <see cref="OnAttackStartedAsync(string, NetPrefix, IReadOnlyList{string}, string?, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<MitigationOutcome>> OnAttackStartedAsync(string attackId, NetAddress target, IReadOnlyList<string> vectors,
        string? hostGroup = null, CancellationToken cancellationToken = default) =>
        OnAttackStartedAsync(attackId, new NetPrefix(target, target.IsV4 ? 32 : 128), vectors, hostGroup, cancellationToken);

    /// <summary>
    /// An attack started on <paramref name="target"/>, or an active attack changed its vectors (call
    /// again with the same id: new vectors get their rules, an ended attack is active again, and
    /// vectors whose announcement failed are tried again).
    /// </summary>
    public async Task<IReadOnlyList<MitigationOutcome>> OnAttackStartedAsync(string attackId, NetPrefix target, IReadOnlyList<string> vectors,
        string? hostGroup = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attackId);
        ArgumentNullException.ThrowIfNull(vectors);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var op = new Operation(_time.GetUtcNow().UtcDateTime);
            AttackState state;
            lock (_attacks)
            {
                if (!_attacks.TryGetValue(attackId, out state!))
                {
                    state = new AttackState(target);
                    _attacks.Add(attackId, state);
                }
                state.EndedAt = null;
                state.DueAt = null;
                _unsaved.UnionWith(state.Mitigations);
            }
            var active = await TryListAsync(op, cancellationToken).ConfigureAwait(false);
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
                        op.Outcomes.Add(new MitigationOutcome(MitigationStatus.Skipped, null, $"no Flowspec rule for vector '{vector}'"));
                        continue;
                    }
                    var pending = Pending(rule.Id, MitigationKind.Flowspec, state.Target, rule, reason);
                    var outcome = await AnnounceAsync(op, pending, active, attackId, vector, cancellationToken).ConfigureAwait(false);
                    op.Outcomes.Add(outcome);
                    if (outcome.Status != MitigationStatus.Announced)
                    {
                        // Not covered: the next update of this attack (or the retry) tries again.
                        state.Vectors.Remove(vector);
                    }
                    if (outcome.Mitigation is { } m && active is not null && !active.Any(a => a.Id == m.Id))
                    {
                        active = [.. active, m];
                    }
                }
            }

            if (!state.Blackholed && Policy.BlackholesHostGroup(hostGroup))
            {
                var pending = Pending(MitigationId.ForBlackhole(state.Target), MitigationKind.Blackhole, state.Target, null, reason);
                var outcome = await AnnounceAsync(op, pending, active, attackId, null, cancellationToken).ConfigureAwait(false);
                state.Blackholed = outcome.Status == MitigationStatus.Announced;
                op.Outcomes.Add(outcome);
            }
            await FlushStoreAsync(cancellationToken).ConfigureAwait(false);
            return op.Outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    PendingAnnouncement Pending(MitigationId id, MitigationKind kind, NetPrefix target, FlowspecRule? rule, string reason) =>
        _pendingAnnouncement.TryGetValue(id, out var p) ? p : new PendingAnnouncement(id, kind, target, rule, reason);

    /// <summary>
    /// Announces <paramref name="route"/> for <paramref name="owner"/> (an attack id), or takes it over
    /// when it is active already. <paramref name="active"/> is null when the router could not be read.
    /// </summary>
    async Task<MitigationOutcome> AnnounceAsync(Operation op, PendingAnnouncement route, IReadOnlyList<Mitigation>? active,
        string owner, string? vector, CancellationToken cancellationToken)
    {
        var id = route.Id;
        var kind = route.Kind == MitigationKind.Blackhole ? "blackhole" : "Flowspec";
        if (active is not null && active.Any(m => m.Id == id))
        {
            Own(route, owner, op.Now, manual: false);
            return new MitigationOutcome(MitigationStatus.Announced, id, $"already active, now also for attack {owner}");
        }
        if (active is not null)
        {
            var count = active.Count(m => m.Kind == route.Kind);
            var allowed = route.Kind == MitigationKind.Blackhole
                ? Policy.TryAllowBlackhole(route.Target, count, out var why)
                : Policy.TryAllowFlowspec(count, out why);
            if (!allowed)
            {
                Log.Refused(_logger, kind, route.Target.ToString(), why);
                route.Owners.Remove(owner);
                if (route.Owners.Count == 0)
                {
                    _pendingAnnouncement.Remove(id);
                }
                return new MitigationOutcome(MitigationStatus.Refused, id, why);
            }
        }
        if (op.Failure is { } earlier)
        {
            return Defer(op, route, owner, vector, $"deferred, the router failed: {earlier}");
        }
        try
        {
            var m = await AnnounceCoreAsync(route, cancellationToken).ConfigureAwait(false);
            NoteSuccess();
            Own(route, owner, op.Now, manual: false);
            return new MitigationOutcome(MitigationStatus.Announced, id, $"announced for attack {owner}") { Mitigation = m };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            op.Failure = NoteFailure(id.Value, e);
            return Defer(op, route, owner, vector, op.Failure);
        }
    }

    Task<Mitigation> AnnounceCoreAsync(PendingAnnouncement route, CancellationToken cancellationToken) => route.Rule is { } rule
        ? _mitigator.AnnounceFlowspecAsync(rule, route.Reason, cancellationToken)
        : _mitigator.AnnounceBlackholeAsync(route.Target.Network, route.Reason, cancellationToken);

    MitigationOutcome Defer(Operation op, PendingAnnouncement route, string owner, string? vector, string message)
    {
        route.Owners[owner] = vector;
        route.Failures++;
        route.NextAt = op.Now + Policy.RetryDelay(route.Failures);
        _pendingAnnouncement[route.Id] = route;
        return new MitigationOutcome(MitigationStatus.Failed, route.Id, $"{message}; retry at {route.NextAt:O}");
    }

    /// <summary>Records that <paramref name="owner"/> (an attack id, or null for an operator) holds an announced route.</summary>
    void Own(PendingAnnouncement route, string? owner, DateTime now, bool manual)
    {
        if (!_owned.TryGetValue(route.Id, out var owned))
        {
            owned = new OwnedRoute(route.Id, route.Kind, route.Target, route.Rule, route.Reason, now, manual);
            _owned.Add(route.Id, owned);
        }
        else if (manual && !owned.Manual)
        {
            _owned[route.Id] = owned with { Manual = true };
        }
        if (owner is not null)
        {
            route.Owners.Remove(owner);
            lock (_attacks)
            {
                if (_attacks.TryGetValue(owner, out var state))
                {
                    state.Mitigations.Add(route.Id);
                }
            }
        }
        if (route.Owners.Count == 0)
        {
            _pendingAnnouncement.Remove(route.Id);
        }
        _pendingWithdrawal.Remove(route.Id);
        _unsaved.Add(route.Id);
    }

    /// <summary>The attack ended at <paramref name="endedAt"/>; its mitigations go <see cref="MitigationPolicy.HoldTime"/> later.</summary>
    /// <returns>False for an unknown attack.</returns>
    /// <remarks>The routes' new WithdrawAfter reaches the store at the next <see cref="TickAsync"/>.</remarks>
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
            state.DueAt = endedAt + Policy.HoldTime;
            _ownershipChanged = true;
            return true;
        }
    }

    /// <summary>
    /// Withdraws the mitigations of attacks that ended at least the hold time before <paramref name="now"/>;
    /// retries failed withdrawals and announcements whose backoff has passed; every
    /// <see cref="MitigationPolicy.RibCheckInterval"/> (and as soon as the router answers again after
    /// failures) re-announces owned routes missing from the RIB; saves ownership changes.
    /// </summary>
    public async Task<IReadOnlyList<MitigationOutcome>> TickAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var op = new Operation(now);
            await TickCoreAsync(op, cancellationToken).ConfigureAwait(false);
            return op.Outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task TickCoreAsync(Operation op, CancellationToken cancellationToken)
    {
        var now = op.Now;
        lock (_attacks)
        {
            if (_ownershipChanged)
            {
                _ownershipChanged = false;
                foreach (var state in _attacks.Values)
                {
                    _unsaved.UnionWith(state.Mitigations);
                }
            }
            foreach (var (attackId, state) in _attacks.Where(a => a.Value.DueAt is { } due && due <= now).ToList())
            {
                _attacks.Remove(attackId);
                foreach (var id in state.Mitigations)
                {
                    _unsaved.Add(id);
                    if (_owned.TryGetValue(id, out var owned) && owned.Manual)
                    {
                        continue;
                    }
                    if (!_attacks.Values.Any(other => other.Mitigations.Contains(id)) && !_pendingWithdrawal.ContainsKey(id))
                    {
                        _pendingWithdrawal[id] = new Retry(state.DueAt!.Value, now);
                    }
                }
                foreach (var p in _pendingAnnouncement.Values.Where(p => p.Owners.Remove(attackId) && p.Owners.Count == 0).ToList())
                {
                    _pendingAnnouncement.Remove(p.Id);
                }
            }
        }

        foreach (var (id, retry) in _pendingWithdrawal.Where(w => w.Value.NextAt <= now).OrderBy(w => w.Key.Value, StringComparer.Ordinal).ToList())
        {
            var outcome = await WithdrawCoreAsync(op, id, retry, cancellationToken).ConfigureAwait(false);
            op.Outcomes.Add(outcome);
        }

        var due = _pendingAnnouncement.Values.Where(p => p.NextAt <= now).OrderBy(p => p.Id.Value, StringComparer.Ordinal).ToList();
        if (due.Count > 0 && op.Failure is null)
        {
            var active = await TryListAsync(op, cancellationToken).ConfigureAwait(false);
            foreach (var p in due)
            {
                foreach (var (owner, vector) in p.Owners.ToList())
                {
                    var outcome = await AnnounceAsync(op, p, active, owner, vector, cancellationToken).ConfigureAwait(false);
                    if (outcome.Status == MitigationStatus.Announced)
                    {
                        lock (_attacks)
                        {
                            if (_attacks.TryGetValue(owner, out var state))
                            {
                                if (vector is null)
                                {
                                    state.Blackholed = true;
                                }
                                else
                                {
                                    state.Vectors.Add(vector);
                                }
                            }
                        }
                        if (outcome.Mitigation is { } m && active is not null)
                        {
                            active = [.. active, m];
                        }
                    }
                    op.Outcomes.Add(outcome);
                    if (outcome.Status == MitigationStatus.Failed)
                    {
                        // Owners of one route share its schedule: do not bump it once per owner.
                        break;
                    }
                }
            }
        }
        else
        {
            foreach (var p in due)
            {
                p.NextAt = now + Policy.RetryDelay(++p.Failures);
            }
        }

        if (op.Failure is null && (now >= _nextRibCheck || _routerRecovered))
        {
            await CheckRibAsync(op, cancellationToken).ConfigureAwait(false);
        }
        await FlushStoreAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-announces every owned route (not being withdrawn) that the router's RIB lacks.</summary>
    async Task CheckRibAsync(Operation op, CancellationToken cancellationToken)
    {
        var held = _owned.Values.Where(r => !_pendingWithdrawal.ContainsKey(r.Id) && !_pendingAnnouncement.ContainsKey(r.Id)).ToList();
        if (held.Count == 0)
        {
            _routerRecovered = false;
            _nextRibCheck = op.Now + Policy.RibCheckInterval;
            return;
        }
        var active = await TryListAsync(op, cancellationToken).ConfigureAwait(false);
        if (active is null)
        {
            // gobgpd is down: probe again with the backoff, not only every RibCheckInterval.
            _nextRibCheck = op.Now + Policy.RetryDelay(RouterFailures);
            return;
        }
        _routerRecovered = false;
        _nextRibCheck = op.Now + Policy.RibCheckInterval;
        var activeIds = active.Select(m => m.Id).ToHashSet();
        foreach (var route in held.Where(r => !activeIds.Contains(r.Id)))
        {
            var pending = new PendingAnnouncement(route.Id, route.Kind, route.Target, route.Rule, route.Reason);
            if (op.Failure is { } earlier)
            {
                op.Outcomes.Add(DeferLost(op, pending, route, $"deferred, the router failed: {earlier}"));
                continue;
            }
            try
            {
                var m = await AnnounceCoreAsync(pending, cancellationToken).ConfigureAwait(false);
                NoteSuccess();
                Log.Reannounced(_logger, route.Id.Value);
                op.Outcomes.Add(new MitigationOutcome(MitigationStatus.Announced, route.Id, "announced again: it was missing from the router's RIB") { Mitigation = m });
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                op.Failure = NoteFailure(route.Id.Value, e);
                op.Outcomes.Add(DeferLost(op, pending, route, op.Failure));
            }
        }
    }

    // A lost route is retried as a pending announcement for the attacks that hold it.
    MitigationOutcome DeferLost(Operation op, PendingAnnouncement pending, OwnedRoute route, string message)
    {
        List<(string Attack, string? Vector)> owners;
        lock (_attacks)
        {
            owners = [.. _attacks.Where(a => a.Value.Mitigations.Contains(route.Id)).Select(a => (a.Key, VectorOf(a.Value, route)))];
        }
        if (owners.Count == 0)
        {
            // An operator's route: the next RIB check (at the backoff) tries again.
            _nextRibCheck = op.Now + Policy.RetryDelay(RouterFailures);
            return new MitigationOutcome(MitigationStatus.Failed, route.Id, message);
        }
        foreach (var (attack, vector) in owners.Skip(1))
        {
            pending.Owners[attack] = vector;
        }
        return Defer(op, pending, owners[0].Attack, owners[0].Vector, message);
    }

    static string? VectorOf(AttackState state, OwnedRoute route) =>
        route.Kind == MitigationKind.Blackhole ? null : state.Vectors.FirstOrDefault(v =>
            FlowspecVectors.TryGetRule(v, state.Target, route.Rule?.Action ?? FlowspecAction.Discard, out var r) && r.Id == route.Id);

    /// <summary>
    /// Takes over the routes a previous run of Belfry left in the store, once at start: routes whose
    /// attacks are over are withdrawn when their WithdrawAfter has passed (a route whose attack was
    /// still active when Belfry stopped gets <paramref name="now"/> + hold time, since nothing will
    /// end that attack now), routes still held that gobgpd's RIB lacks are announced again, and an
    /// attack that is raised again under the same id keeps its routes. Routes in the RIB that the
    /// store does not name are not touched. Never throws for router or store failures.
    /// </summary>
    public async Task<IReadOnlyList<MitigationOutcome>> ReconcileAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var op = new Operation(now);
            IReadOnlyList<RouteOwnership> stored;
            try
            {
                stored = await _store.ListRoutesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Log.StoreFailed(_logger, "list routes", e.Message);
                op.Outcomes.Add(new MitigationOutcome(MitigationStatus.Failed, null, $"the mitigation store could not be read: {e.Message}"));
                return op.Outcomes;
            }
            foreach (var r in stored)
            {
                if (_owned.ContainsKey(r.Id))
                {
                    continue;
                }
                FlowspecRule? rule = null;
                var valid = r.Kind == MitigationKind.Flowspec
                    ? FlowspecRule.TryParseDefinition(r.Definition, out rule!) && rule.Id == r.Id
                    : NetAddress.TryParse(r.Definition, out var host) && MitigationId.ForBlackhole(new NetPrefix(host, host.IsV4 ? 32 : 128)) == r.Id;
                if (!valid)
                {
                    Log.StoreFailed(_logger, "read route " + r.Id.Value, $"definition '{r.Definition}' does not describe it; left as it is");
                    op.Outcomes.Add(new MitigationOutcome(MitigationStatus.Failed, r.Id, $"stored definition '{r.Definition}' does not describe the route; not touched"));
                    continue;
                }
                var manual = r.Attacks.Count == 0 && r.WithdrawAfter is null;
                _owned[r.Id] = new OwnedRoute(r.Id, r.Kind, r.Target, rule, r.Reason, r.AnnouncedAt, manual);
                if (r.Attacks.Count == 0 && r.WithdrawAfter is { } after)
                {
                    _pendingWithdrawal[r.Id] = new Retry(after, after);
                    continue;
                }
                lock (_attacks)
                {
                    foreach (var attackId in r.Attacks)
                    {
                        if (!_attacks.TryGetValue(attackId, out var state))
                        {
                            state = new AttackState(r.Target) { DueAt = DateTime.MinValue };
                            _attacks.Add(attackId, state);
                        }
                        state.Mitigations.Add(r.Id);
                        if (r.Kind == MitigationKind.Blackhole)
                        {
                            state.Blackholed = true;
                        }
                        else if (rule is not null && VectorFor(rule) is { } vector)
                        {
                            state.Vectors.Add(vector);
                        }
                        if (state.DueAt is { } d)
                        {
                            // Still active when Belfry stopped: nothing will end it now, so it ends now.
                            var due = r.WithdrawAfter ?? now + Policy.HoldTime;
                            state.DueAt = due > d ? due : d;
                            state.EndedAt = state.DueAt - Policy.HoldTime;
                        }
                    }
                }
            }
            Log.Reconciled(_logger, stored.Count);
            _nextRibCheck = DateTime.MinValue;
            _ownershipChanged = true;
            await TickCoreAsync(op, cancellationToken).ConfigureAwait(false);
            return op.Outcomes;
        }
        finally
        {
            _gate.Release();
        }
    }

    // The vector name whose rule this is, so that an update of a restored attack does not announce it twice.
    static string? VectorFor(FlowspecRule rule)
    {
        foreach (var vector in FlowspecVectors.AmplificationPorts.Keys.Concat(["syn", "icmp", "fragment", "udp"]))
        {
            if (FlowspecVectors.TryGetRule(vector, rule.Destination, rule.Action, out var r) && r.Id == rule.Id)
            {
                return vector;
            }
        }
        return null;
    }

    /// <summary>An operator's blackhole: not tied to a host group, but still under the whitelist and the maximum.</summary>
    public async Task<MitigationOutcome> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var prefix = new NetPrefix(target, target.IsV4 ? 32 : 128);
        var id = MitigationId.ForBlackhole(prefix);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var op = new Operation(_time.GetUtcNow().UtcDateTime);
            var active = await TryListAsync(op, cancellationToken).ConfigureAwait(false);
            if (active is null)
            {
                return new MitigationOutcome(MitigationStatus.Failed, id, op.Failure!);
            }
            var count = active.Count(m => m.Kind == MitigationKind.Blackhole && m.Id != id);
            if (!Policy.TryAllowBlackhole(prefix, count, out var why))
            {
                Log.Refused(_logger, "blackhole", prefix.ToString(), why);
                return new MitigationOutcome(MitigationStatus.Refused, id, why);
            }
            return await ManualAsync(op, new PendingAnnouncement(id, MitigationKind.Blackhole, prefix, null, reason), cancellationToken).ConfigureAwait(false);
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
            var op = new Operation(_time.GetUtcNow().UtcDateTime);
            var active = await TryListAsync(op, cancellationToken).ConfigureAwait(false);
            if (active is null)
            {
                return new MitigationOutcome(MitigationStatus.Failed, rule.Id, op.Failure!);
            }
            var count = active.Count(m => m.Kind == MitigationKind.Flowspec && m.Id != rule.Id);
            if (!Policy.TryAllowFlowspec(count, out var why))
            {
                Log.Refused(_logger, "Flowspec", rule.Destination.ToString(), why);
                return new MitigationOutcome(MitigationStatus.Refused, rule.Id, why);
            }
            return await ManualAsync(op, new PendingAnnouncement(rule.Id, MitigationKind.Flowspec, rule.Destination, rule, reason), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // An operator's announcement that fails is reported, not retried: the operator is there to see it.
    async Task<MitigationOutcome> ManualAsync(Operation op, PendingAnnouncement route, CancellationToken cancellationToken)
    {
        try
        {
            var m = await AnnounceCoreAsync(route, cancellationToken).ConfigureAwait(false);
            NoteSuccess();
            Own(route, null, op.Now, manual: true);
            await FlushStoreAsync(cancellationToken).ConfigureAwait(false);
            return new MitigationOutcome(MitigationStatus.Announced, route.Id, "announced by an operator") { Mitigation = m };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new MitigationOutcome(MitigationStatus.Failed, route.Id, NoteFailure(route.Id.Value, e));
        }
    }

    /// <summary>An operator's withdrawal: it wins over the attacks that own the route. A failed one is retried by <see cref="TickAsync"/>.</summary>
    public async Task<MitigationOutcome> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow().UtcDateTime;
            lock (_attacks)
            {
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
            _pendingAnnouncement.Remove(id);
            if (_owned.TryGetValue(id, out var owned))
            {
                _owned[id] = owned with { Manual = false };
            }
            var retry = _pendingWithdrawal.TryGetValue(id, out var r) ? r : new Retry(now, now);
            var outcome = await WithdrawCoreAsync(new Operation(now), id, retry, cancellationToken).ConfigureAwait(false);
            await FlushStoreAsync(cancellationToken).ConfigureAwait(false);
            return outcome;
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

    /// <summary>Routes waiting for a retry: (id, withdrawal or announcement, next attempt, failures so far).</summary>
    public IReadOnlyList<(MitigationId Id, bool Withdrawal, DateTime NextAttempt, int Failures)> PendingRetries
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _pendingWithdrawal.Select(w => (w.Key, true, w.Value.NextAt, w.Value.Failures))
                    .Concat(_pendingAnnouncement.Values.Select(p => (p.Id, false, p.NextAt, p.Failures)))
                    .OrderBy(p => p.Item1.Value, StringComparer.Ordinal)];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    async Task<MitigationOutcome> WithdrawCoreAsync(Operation op, MitigationId id, Retry retry, CancellationToken cancellationToken)
    {
        if (op.Failure is { } earlier)
        {
            return Reschedule(op, id, retry, $"deferred, the router failed: {earlier}");
        }
        try
        {
            var withdrawn = await _mitigator.WithdrawAsync(id, cancellationToken).ConfigureAwait(false);
            NoteSuccess();
            _pendingWithdrawal.Remove(id);
            _owned.Remove(id);
            _unsaved.Add(id);
            return withdrawn
                ? new MitigationOutcome(MitigationStatus.Withdrawn, id, "withdrawn")
                : new MitigationOutcome(MitigationStatus.NotActive, id, "was not active");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            op.Failure = NoteFailure(id.Value, e);
            return Reschedule(op, id, retry, op.Failure);
        }
    }

    MitigationOutcome Reschedule(Operation op, MitigationId id, Retry retry, string message)
    {
        retry.Failures++;
        retry.NextAt = op.Now + Policy.RetryDelay(retry.Failures);
        _pendingWithdrawal[id] = retry;
        _unsaved.Add(id);
        return new MitigationOutcome(MitigationStatus.Failed, id, $"{message}; retry at {retry.NextAt:O}");
    }

    async Task<IReadOnlyList<Mitigation>?> TryListAsync(Operation op, CancellationToken cancellationToken)
    {
        if (op.Failure is not null)
        {
            return null;
        }
        try
        {
            var list = await _mitigator.ListActiveAsync(cancellationToken).ConfigureAwait(false);
            NoteSuccess();
            return list;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            op.Failure = NoteFailure("listing the RIB", e);
            return null;
        }
    }

    void NoteSuccess()
    {
        if (_routerFailures > 0)
        {
            Log.RouterBack(_logger, _routerFailures);
            // gobgpd may have restarted with an empty RIB: check it now.
            _routerRecovered = true;
        }
        Volatile.Write(ref _routerFailures, 0);
    }

    string NoteFailure(string what, Exception e)
    {
        Volatile.Write(ref _routerFailures, _routerFailures + 1);
        var message = e is MitigationException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        Log.Failed(_logger, what, message);
        return message;
    }

    /// <summary>Writes every changed route to the store; a failure keeps it for the next try.</summary>
    async Task FlushStoreAsync(CancellationToken cancellationToken)
    {
        if (_unsaved.Count == 0)
        {
            return;
        }
        foreach (var id in _unsaved.ToList())
        {
            try
            {
                if (_owned.TryGetValue(id, out var route))
                {
                    await _store.SaveRouteAsync(ToOwnership(route), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _store.RemoveRouteAsync(id, cancellationToken).ConfigureAwait(false);
                }
                _unsaved.Remove(id);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Log.StoreFailed(_logger, "save route " + id.Value, e.Message);
                return;
            }
        }
    }

    RouteOwnership ToOwnership(OwnedRoute route)
    {
        List<string> attacks;
        DateTime? withdrawAfter = null;
        lock (_attacks)
        {
            var holders = _attacks.Where(a => a.Value.Mitigations.Contains(route.Id)).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
            attacks = [.. holders.Select(a => a.Key)];
            if (holders.Count > 0 && !route.Manual && holders.All(h => h.Value.DueAt is not null))
            {
                withdrawAfter = holders.Max(h => h.Value.DueAt);
            }
        }
        if (attacks.Count == 0 && _pendingWithdrawal.TryGetValue(route.Id, out var retry))
        {
            withdrawAfter = retry.DueAt;
        }
        return new RouteOwnership(route.Id, route.Kind, route.Target, route.Definition, route.Reason, attacks, route.AnnouncedAt, withdrawAfter);
    }

    public void Dispose() => _gate.Dispose();
}
