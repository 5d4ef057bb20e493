using System.Globalization;
using System.Threading.Channels;
using Belfry.Core.Constituency;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Collection;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;
using Belfry.Storage;

namespace Belfry.Cli.Hosting;

/// <summary>What `belfry flows listen` takes on its command line for quick starts (the rest is in belfry.json).</summary>
public sealed record DdosFlags
{
    public IReadOnlyList<string> Networks { get; init; } = [];
    public double? ThresholdPps { get; init; }
    public double? ThresholdMbps { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>
/// Builds the DDoS parts from the data folder's settings and the command line: detector options
/// (registered organisations' prefixes + configured networks + `--networks`), the mitigation policy
/// and the mitigator (gobgp, or a dry run).
/// </summary>
public static class DdosHosting
{
    /// <summary>
    /// Monitored networks: the ddos section's networks first (they name a group), then `--networks`,
    /// then every registered organisation's prefixes; a prefix listed twice keeps its first entry.
    /// A network without an organisation gets the one whose registered prefix holds it.
    /// </summary>
    public static DetectorOptions BuildDetectorOptions(BelfryConfig.DdosConfig config, IReadOnlyList<Organisation> organisations, DdosFlags flags)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(organisations);
        ArgumentNullException.ThrowIfNull(flags);
        var index = new ConstituencyIndex(organisations);

        var groups = new List<HostGroup>();
        foreach (var g in config.Groups)
        {
            if (string.IsNullOrWhiteSpace(g.Name))
            {
                throw new CliException("ddos.groups: a group needs a name");
            }
            if (groups.Any(x => string.Equals(x.Name, g.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new CliException($"ddos.groups: group '{g.Name}' is defined twice");
            }
            var group = new HostGroup { Name = g.Name };
            groups.Add(group with
            {
                Thresholds = g.Thresholds ?? group.Thresholds,
                PrefixThresholds = g.PrefixThresholds,
                PrefixFactor = g.PrefixFactor ?? group.PrefixFactor,
                HostBaseline = g.HostBaseline?.ToOptions() ?? group.HostBaseline,
                PrefixBaseline = g.PrefixBaseline?.ToOptions() ?? group.PrefixBaseline,
                Carpet = g.Carpet?.ToOptions() ?? group.Carpet,
            });
        }
        var defaultIndex = groups.FindIndex(g => string.Equals(g.Name, HostGroup.DefaultName, StringComparison.OrdinalIgnoreCase));
        if (defaultIndex < 0)
        {
            groups.Insert(0, HostGroup.Default);
            defaultIndex = 0;
        }
        if (flags.ThresholdPps is not null || flags.ThresholdMbps is not null)
        {
            var d = groups[defaultIndex];
            groups[defaultIndex] = d with
            {
                Thresholds = d.Thresholds with
                {
                    Pps = flags.ThresholdPps ?? d.Thresholds.Pps,
                    Mbps = flags.ThresholdMbps ?? d.Thresholds.Mbps,
                },
            };
        }

        var networks = new List<MonitoredNetwork>();
        var seen = new HashSet<NetPrefix>();
        void Add(NetPrefix prefix, string group, string? organisation, int aggregateLength)
        {
            if (!seen.Add(prefix))
            {
                return;
            }
            if (!groups.Any(g => string.Equals(g.Name, group, StringComparison.OrdinalIgnoreCase)))
            {
                throw new CliException($"ddos.networks: {prefix} names unknown group '{group}'");
            }
            var length = aggregateLength > 0 ? aggregateLength : prefix.IsV4 ? config.AggregateLengthV4 : config.AggregateLengthV6;
            networks.Add(new MonitoredNetwork(prefix, group, organisation ?? index.ByAddress(prefix.Network)?.Id) { AggregateLength = length });
        }
        foreach (var n in config.Networks)
        {
            Add(ParsePrefix(n.Prefix, "ddos.networks"), n.Group, n.Organisation, n.AggregateLength);
        }
        foreach (var n in flags.Networks.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            Add(ParsePrefix(n, "--networks"), HostGroup.DefaultName, null, 0);
        }
        foreach (var n in DetectorOptions.NetworksOf(organisations))
        {
            Add(n.Prefix, n.Group, n.Organisation, 0);
        }

        var defaults = new DetectorOptions();
        return new DetectorOptions
        {
            Networks = networks,
            Groups = groups,
            WhitelistedSources = [.. config.Whitelist.Select(w => ParsePrefix(w, "ddos.whitelist"))],
            OrganisationResolver = a => index.ByAddress(a)?.Id,
            ConfirmSeconds = config.ConfirmSeconds ?? defaults.ConfirmSeconds,
            HoldDownSeconds = config.HoldDownSeconds ?? defaults.HoldDownSeconds,
            UpdateIntervalSeconds = config.UpdateIntervalSeconds ?? defaults.UpdateIntervalSeconds,
        };
    }

    public static MitigationPolicy BuildPolicy(BelfryConfig.DdosConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new MitigationPolicy
        {
            NeverBlackhole = [.. config.NeverBlackhole.Concat(config.Whitelist).Select(p => ParsePrefix(p, "ddos.never_blackhole"))],
            HoldTime = config.HoldTime,
            BlackholeHostGroups = new HashSet<string>(config.BlackholeGroups, StringComparer.Ordinal),
            Flowspec = config.Flowspec,
            MaxBlackholes = config.MaxBlackholes,
            MaxFlowspecRules = config.MaxFlowspecRules,
        };
    }

    public static BgpOptions BuildBgpOptions(BelfryConfig.BgpConfig? bgp, bool dryRun)
    {
        var b = bgp ?? new BelfryConfig.BgpConfig();
        var options = new BgpOptions
        {
            GoBgpPath = b.GobgpPath,
            Api = b.Api,
            LocalAs = b.LocalAs,
            RouterId = b.RouterId,
            NextHopV4 = ParseAddress(b.NextHopV4, "ddos.bgp.next_hop_v4"),
            NextHopV6 = ParseAddress(b.NextHopV6, "ddos.bgp.next_hop_v6"),
            ExtraCommunities = b.ExtraCommunities,
            NoExport = b.NoExport,
            DryRun = dryRun || bgp is null || b.DryRun,
            CommandTimeout = b.CommandTimeout,
        };
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new CliException($"ddos.bgp: {string.Join(" ", errors)}");
        }
        return options;
    }

    /// <summary>A dry run unless BGP is configured (without dry_run) and the command line did not ask for one.</summary>
    public static IMitigator CreateMitigator(BgpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.DryRun ? new DryRunMitigator(options) : new GoBgpMitigator(options);
    }

    static NetPrefix ParsePrefix(string value, string where)
    {
        if (NetPrefix.TryParse(value, out var p))
        {
            return p;
        }
        if (NetAddress.TryParse(value, out var a))
        {
            return new NetPrefix(a, a.IsV4 ? 32 : 128);
        }
        throw new CliException($"{where}: '{value}' is not a CIDR prefix");
    }

    static NetAddress ParseAddress(string value, string where) =>
        NetAddress.TryParse(value, out var a) ? a : throw new CliException($"{where}: '{value}' is not an IP address");
}

/// <summary>One attack event after the engine handled it: stored, turned into an event, mitigated.</summary>
/// <param name="Event">The detector's event.</param>
/// <param name="OrganisationName">Name of the owning organisation, when registered.</param>
/// <param name="Mitigation">What the mitigation manager did for this event (may be empty).</param>
/// <param name="Commands">gobgp commands a dry run would have run for it (empty for a real mitigator).</param>
public sealed record AttackReport(AttackEvent Event, string? OrganisationName, IReadOnlyList<MitigationOutcome> Mitigation, IReadOnlyList<string> Commands);

/// <summary>Settings of a <see cref="DdosEngine"/>; every consumer is optional.</summary>
public sealed record DdosEngineOptions
{
    /// <summary>IntelMQ events (availability/ddos) for the owning organisation: Started and Ended.</summary>
    public IEventStore? Events { get; init; }
    public IAttackStore? Attacks { get; init; }
    public MitigationManager? Mitigation { get; init; }

    /// <summary>Organisation id → name, for reports.</summary>
    public IReadOnlyDictionary<string, string> OrganisationNames { get; init; } = new Dictionary<string, string>();

    /// <summary>After an event was handled (on the engine's consumer task).</summary>
    public Func<AttackReport, Task>? OnReport { get; init; }

    /// <summary>After automatic withdrawals (outcomes, dry-run commands).</summary>
    public Func<IReadOnlyList<MitigationOutcome>, IReadOnlyList<string>, Task>? OnWithdrawn { get; init; }

    /// <summary>A consumer failed (storage, mitigation): reported, the engine goes on.</summary>
    public Func<string, Task>? OnError { get; init; }

    /// <summary>Called on the ticking thread as the detector raises each event (before any storage): for latency measurement.</summary>
    public Action<AttackEvent>? OnRaised { get; init; }
}

/// <summary>
/// The DDoS engine of a collector: one counter shard per receive loop, <see cref="Tick"/> once per
/// second (from <see cref="RunClockAsync"/> or a test), and one consumer task that takes the attack
/// events and mitigation ticks in order from a channel: store, IntelMQ event, mitigation, report.
/// The ticking thread only hands off, so detection never waits for SQLite or gobgp.
/// </summary>
public sealed class DdosEngine : IAsyncDisposable
{
    readonly DdosEngineOptions _options;
    // Bounded by policy rather than by the channel (a full bounded channel would block or drop on the ticking thread):
    // ticks coalesce (one queued at a time, carrying the latest second), Updated events are dropped and counted
    // once MaxQueuedUpdates items wait, Started/Ended (one each per attack) until MaxQueued items wait.
    public const int MaxQueuedUpdates = 1024;
    public const int MaxQueued = 65_536;
    readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    int _queued;
    int _tickQueued;
    long _latestTick;
    long _droppedEvents;
    long _droppedReported;
    long _consumerErrors;
    readonly DryRunMitigator? _dryRun;
    readonly Task _consumer;
    int _commandsSeen;
    readonly Dictionary<string, HashSet<string>> _reported = new(StringComparer.Ordinal);

    readonly record struct Work(AttackEvent? Event, DateTime Tick, TaskCompletionSource? Flushed);

    public DdosEngine(DetectorOptions detector, DdosEngineOptions options, DryRunMitigator? dryRun = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _dryRun = dryRun;
        Detector = new DdosDetector(detector, OnEvent);
        _consumer = Task.Run(ConsumeAsync);
    }

    public DdosDetector Detector { get; }

    /// <summary>Attack events dropped because the consumer was that far behind (reported through OnError).</summary>
    public long DroppedEvents => Interlocked.Read(ref _droppedEvents);

    /// <summary>Work items whose handling threw (reported through OnError); the consumer went on.</summary>
    public long ConsumerErrors => Interlocked.Read(ref _consumerErrors);

    /// <summary>For <see cref="FlowCollector"/>'s consumer factory: a new single-writer shard for the loop.</summary>
    public IFlowRecordConsumer CreateConsumer(FlowLoopContext loop) => new ShardConsumer(Detector.CreateShard());

    /// <summary>Closes the second ending at <paramref name="secondEnd"/>: detection, then a mitigation tick (withdrawals).</summary>
    public void Tick(DateTime secondEnd)
    {
        Detector.Tick(secondEnd);
        Interlocked.Exchange(ref _latestTick, secondEnd.Ticks);
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            _work.Writer.TryWrite(new Work(null, secondEnd, null));
        }
    }

    /// <summary>Ticks at every wall-clock second (UTC) on a dedicated thread until cancelled.</summary>
    public Task RunClockAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Clock(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void Clock(CancellationToken ct)
    {
        var next = NextSecond(DateTime.UtcNow);
        while (!ct.IsCancellationRequested)
        {
            // WaitOne rounds to milliseconds and may return a little early: a second must not close before its end.
            for (var wait = next - DateTime.UtcNow; wait > TimeSpan.Zero; wait = next - DateTime.UtcNow)
            {
                if (ct.WaitHandle.WaitOne(wait + TimeSpan.FromMilliseconds(1)))
                {
                    return;
                }
            }
            var now = DateTime.UtcNow;
            if (now - next >= TimeSpan.FromSeconds(1))
            {
                // Not scheduled for over a second: close the current second once rather than a burst of empty ones.
                next = NextSecond(now).AddSeconds(-1);
            }
            Tick(next);
            next = next.AddSeconds(1);
        }
    }

    static DateTime NextSecond(DateTime t) => new((t.Ticks / TimeSpan.TicksPerSecond + 1) * TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    /// <summary>Waits until everything handed over so far is handled.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(new Work(null, default, done)))
        {
            return Task.CompletedTask;
        }
        return done.Task;
    }

    void OnEvent(AttackEvent e)
    {
        _options.OnRaised?.Invoke(e);
        var queued = Volatile.Read(ref _queued);
        if (queued >= MaxQueued || (e.Kind == AttackEventKind.Updated && queued >= MaxQueuedUpdates))
        {
            Interlocked.Increment(ref _droppedEvents);
            return;
        }
        Interlocked.Increment(ref _queued);
        _work.Writer.TryWrite(new Work(e, default, null));
    }

    async Task ConsumeAsync()
    {
        await foreach (var w in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            // No work item can end the consumer: one that throws is counted, reported and left behind.
            try
            {
                if (w.Flushed is { } flushed)
                {
                    flushed.TrySetResult();
                }
                else if (w.Event is { } e)
                {
                    Interlocked.Decrement(ref _queued);
                    await HandleAsync(e).ConfigureAwait(false);
                }
                else
                {
                    Volatile.Write(ref _tickQueued, 0);
                    var tick = new DateTime(Interlocked.Read(ref _latestTick), DateTimeKind.Utc);
                    var dropped = Interlocked.Read(ref _droppedEvents);
                    if (dropped != _droppedReported)
                    {
                        await ReportErrorAsync($"{dropped - _droppedReported} attack events dropped: the consumer is behind ({dropped} in all)").ConfigureAwait(false);
                        _droppedReported = dropped;
                    }
                    if (_options.Mitigation is { } m)
                    {
                        var outcomes = await m.TickAsync(tick).ConfigureAwait(false);
                        if (outcomes.Count > 0 && _options.OnWithdrawn is { } report)
                        {
                            await report(outcomes, NewCommands()).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _consumerErrors);
                await ReportErrorAsync($"attack consumer: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            }
        }
    }

    async Task HandleAsync(AttackEvent e)
    {
        var a = e.Attack;
        if (_options.Attacks is { } attacks)
        {
            await TryAsync("attack store", () => attacks.SaveAttackAsync(a)).ConfigureAwait(false);
        }
        if (_options.Events is { } events && e.Kind != AttackEventKind.Updated)
        {
            await TryAsync("event store", () => events.StoreEventsAsync([AttackEvents.ToEvent(e)])).ConfigureAwait(false);
        }
        IReadOnlyList<MitigationOutcome> outcomes = [];
        if (_options.Mitigation is { } m)
        {
            if (e.Kind == AttackEventKind.Ended)
            {
                m.OnAttackEnded(a.Id, a.End ?? e.Time);
            }
            else
            {
                await TryAsync("mitigation", async () =>
                    outcomes = await m.OnAttackStartedAsync(a.Id, a.Target, [.. a.Vectors.Select(AttackVectors.Identifier)], a.HostGroup).ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        if (e.Kind == AttackEventKind.Ended)
        {
            _reported.Remove(a.Id);
        }
        else
        {
            // An update retries what the policy refused before: report each refusal once per attack.
            var seen = _reported.TryGetValue(a.Id, out var s) ? s : _reported[a.Id] = [];
            outcomes = [.. outcomes.Where(o => seen.Add(o.ToString()))];
        }
        if (_options.OnReport is { } report)
        {
            var name = a.Organisation is { } org ? _options.OrganisationNames.GetValueOrDefault(org) : null;
            await report(new AttackReport(e, name, outcomes, NewCommands())).ConfigureAwait(false);
        }
    }

    string[] NewCommands()
    {
        if (_dryRun is null)
        {
            return [];
        }
        var all = _dryRun.Commands;
        var fresh = all.Skip(_commandsSeen).ToArray();
        _commandsSeen = all.Count;
        return fresh;
    }

    async Task TryAsync(string what, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _consumerErrors);
            await ReportErrorAsync($"{what}: {ex.Message}").ConfigureAwait(false);
        }
    }

    async Task ReportErrorAsync(string message)
    {
        try
        {
            if (_options.OnError is { } onError)
            {
                await onError(message).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // the error reporter failing must not end the consumer either
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Stops taking work and waits for the consumer to finish what was handed over.</summary>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
#pragma warning disable VSTHRD003 // the engine started this task itself, on the thread pool
        await _consumer.ConfigureAwait(false);
#pragma warning restore VSTHRD003
    }

    sealed class ShardConsumer(CounterShard shard) : IFlowRecordConsumer
    {
        public void OnDatagram(in FlowDatagram datagram)
        {
        }

        public void OnFlow(in FlowRecord record) => shard.Count(record);

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
        }
    }
}

/// <summary>Human-readable lines for attacks and mitigations (CLI, demo).</summary>
public static class AttackText
{
    public static string Line(AttackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var e = report.Event;
        var a = e.Attack;
        var target = a.TargetKind == AttackTargetKind.Host ? a.TargetAddress.ToString() : a.Target.ToString();
        var org = report.OrganisationName is { } n ? $"{n} ({a.Organisation})" : a.Organisation ?? "no organisation";
        var vectors = string.Join(", ", a.Vectors.Select(AttackVectors.Identifier));
        var what = e.Kind switch
        {
            AttackEventKind.Started => string.Create(CultureInfo.InvariantCulture,
                $"detected {(a.Detected - a.Start).TotalSeconds:N0} s after it began ({a.Trigger})"),
            AttackEventKind.Ended => string.Create(CultureInfo.InvariantCulture,
                $"lasted {(a.LastSeen - a.Start).TotalSeconds:N0} s (then {(e.Time - a.LastSeen).TotalSeconds:N0} s quiet), {a.TotalPackets:N0} packets"),
            _ => string.Create(CultureInfo.InvariantCulture, $"now {a.CurrentPps:N0} pps"),
        };
        var hosts = a.TargetKind == AttackTargetKind.Prefix ? string.Create(CultureInfo.InvariantCulture, $", {a.Hosts:N0} hosts") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{e.Time:HH:mm:ss} attack {e.Kind.ToString().ToLowerInvariant()}: {target} [{vectors}] {org}; peak {a.PeakPps:N0} pps, {Bits(a.PeakBps)}{hosts}, ~{a.DistinctSources:N0} sources; {what}");
    }

    public static string Bits(double bps) => bps switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bps / 1e9:N2} Gbit/s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bps / 1e6:N1} Mbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bps / 1e3:N0} kbit/s"),
    };

    public static IEnumerable<string> Mitigation(IReadOnlyList<MitigationOutcome> outcomes, IReadOnlyList<string> commands)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(commands);
        foreach (var o in outcomes)
        {
            yield return o.Id is { } id
                ? $"  mitigation {o.Status.ToString().ToLowerInvariant()}: {id.Value} ({o.Message})"
                : $"  mitigation {o.Status.ToString().ToLowerInvariant()}: {o.Message}";
        }
        foreach (var c in commands)
        {
            yield return "  dry run: " + c;
        }
    }

    /// <summary>One line per stored attack, for `belfry attacks list` and the demo.</summary>
    public static string Row(Attack a, string? organisationName)
    {
        ArgumentNullException.ThrowIfNull(a);
        var target = a.TargetKind == AttackTargetKind.Host ? a.TargetAddress.ToString() : a.Target.ToString();
        var state = a.End is { } end ? string.Create(CultureInfo.InvariantCulture, $"ended {end:HH:mm:ss}") : "active";
        return string.Create(CultureInfo.InvariantCulture,
            $"{a.Start:yyyy-MM-dd HH:mm:ss}  {target,-18} {string.Join(",", a.Vectors.Select(AttackVectors.Identifier)),-50} {a.PeakPps,12:N0} pps {Bits(a.PeakBps),14}  {state,-14} {organisationName ?? a.Organisation ?? "-"}");
    }
}
