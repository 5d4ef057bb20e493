using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Detection;

/// <summary>
/// Turns per-second counters into attacks. Wiring: one <see cref="CreateShard"/> per receive loop
/// (the loop passes <see cref="CounterShard.Sink"/> to its decoder), and <see cref="Tick"/> once per
/// second from one timer thread, with the end of the second just closed. Each tick swaps every
/// shard's window, evaluates the closed second and raises <see cref="AttackEvent"/>s through the
/// callback, on the ticking thread, after the detector's state is consistent. Time is whatever the
/// caller passes: tests drive it explicitly.
/// </summary>
public sealed partial class DdosDetector
{
    readonly DetectorConfig _config;
    readonly DetectorOptions _options;
    readonly Action<AttackEvent>? _onEvent;
    readonly Lock _shardsLock = new();
    CounterShard[] _shards = [];
    CounterWindow[] _spares = [];
    CounterWindow[] _closed = [];
    readonly CounterWindow _empty;

    readonly Dictionary<NetAddress, HostState> _hosts = [];
    readonly Dictionary<PrefixKey, PrefixState> _prefixes = [];
    readonly Dictionary<PrefixKey, PrefixAggregate> _aggregates = [];
    readonly Dictionary<NetAddress, AttackState> _hostAttacks = [];
    readonly Dictionary<PrefixKey, AttackState> _prefixAttacks = [];
    readonly List<AttackEvent> _events = [];
    readonly GroupTotals[] _groupTotals;
    HostState _scratchHost;
    PrefixState _scratchPrefix;

    long _ticks;
    long _records;
    long _whitelisted;
    long _unmonitored;
    long _folded;
    long _detailsDenied;
    IReadOnlyList<Attack> _active = [];
    TrafficSnapshot? _lastSecond;

    public DdosDetector(DetectorOptions options, Action<AttackEvent>? onEvent = null)
    {
        _config = new DetectorConfig(options);
        _options = options;
        _onEvent = onEvent;
        _empty = new CounterWindow(0);
        _groupTotals = new GroupTotals[_config.Groups.Length];
    }

    public DetectorOptions Options => _options;

    /// <summary>A new single-writer shard; call once per receive loop (not per datagram).</summary>
    public CounterShard CreateShard()
    {
        lock (_shardsLock)
        {
            var max = _options.MaxDetailsPerShard;
            var shard = new CounterShard(_config, new CounterWindow(max));
            _shards = [.. _shards, shard];
            _spares = [.. _spares, new CounterWindow(max)];
            _closed = new CounterWindow[_shards.Length];
            return shard;
        }
    }

    /// <summary>Active attacks after the last tick (immutable snapshots).</summary>
    public IReadOnlyList<Attack> ActiveAttacks => Volatile.Read(ref _active);

    /// <summary>Totals of the last evaluated second, or null before the first tick.</summary>
    public TrafficSnapshot? LastSecond => Volatile.Read(ref _lastSecond);

    public DetectorStats Stats => new(
        Interlocked.Read(ref _ticks), Interlocked.Read(ref _records), Interlocked.Read(ref _whitelisted),
        Interlocked.Read(ref _unmonitored), Interlocked.Read(ref _folded), Interlocked.Read(ref _detailsDenied));

    /// <summary>
    /// Closes the second ending at <paramref name="secondEnd"/> (UTC) and evaluates it. Call from one
    /// thread, once per second, with increasing times.
    /// </summary>
    public void Tick(DateTime secondEnd)
    {
        var now = DateTime.SpecifyKind(secondEnd, DateTimeKind.Utc);
        var second = now.Ticks / TimeSpan.TicksPerSecond;
        lock (_shardsLock)
        {
            var shards = _shards;
            var closed = _closed;
            for (var i = 0; i < shards.Length; i++)
            {
                closed[i] = shards[i].Swap(_spares[i]);
            }
            if (shards.Length > 0)
            {
                // Makes every writer's sequence store visible, and any record that starts after this
                // point sees the new window (asymmetric barrier: the writers pay nothing for it).
                Interlocked.MemoryBarrierProcessWide();
                foreach (var s in shards)
                {
                    s.WaitForWriter();
                }
            }
            var main = shards.Length > 0 ? closed[0] : _empty;
            for (var i = 1; i < shards.Length; i++)
            {
                MergeInto(main, closed[i]);
            }
            foreach (var w in shards.Length > 0 ? closed : [])
            {
                _records += w.Records;
                _whitelisted += w.Whitelisted;
                _unmonitored += w.Unmonitored;
                _folded += w.Folded;
                _detailsDenied += w.DetailsDenied;
            }

            Evaluate(main, now, second);

            var watch = BuildWatchList(main);
            for (var i = 0; i < shards.Length; i++)
            {
                shards[i].SetWatch(watch);
                closed[i].Reset();
                _spares[i] = closed[i];
                closed[i] = null!;
            }
            _empty.Reset();
        }
        Interlocked.Increment(ref _ticks);
        if (_events.Count > 0)
        {
            var events = _events.ToArray();
            _events.Clear();
            if (_onEvent is not null)
            {
                foreach (var e in events)
                {
                    _onEvent(e);
                }
            }
        }
    }

    void MergeInto(CounterWindow main, CounterWindow other)
    {
        var max = _options.MaxHostsPerShard;
        foreach (var (host, c) in other.Hosts)
        {
            ref var m = ref CollectionsMarshal.GetValueRefOrNullRef(main.Hosts, host);
            if (Unsafe.IsNullRef(ref m))
            {
                if (main.Hosts.Count >= max)
                {
                    m = ref CounterShard.Fold(main, _config.Networks[c.Network], host, c.Network, _options.MaxOverflowPrefixesPerShard);
                }
                else
                {
                    main.HostCapacity = CounterWindow.Grow(main.Hosts, main.HostCapacity, max);
                    m = ref CollectionsMarshal.GetValueRefOrAddDefault(main.Hosts, host, out _);
                    m.Network = c.Network;
                }
            }
            m.In.Add(c.In);
            m.Out.Add(c.Out);
            if (c.Detail is { } d && !m.DetailDenied)
            {
                m.Detail ??= main.RentDetail();
                m.Detail?.Merge(d);
            }
        }
        foreach (var (key, c) in other.Overflow)
        {
            ref var m = ref CollectionsMarshal.GetValueRefOrAddDefault(main.Overflow, key, out var exists);
            if (!exists)
            {
                m.Network = c.Network;
                m.DetailDenied = true;
            }
            m.In.Add(c.In);
            m.Out.Add(c.Out);
        }
    }

    WatchList BuildWatchList(CounterWindow main)
    {
        var hosts = new HashSet<NetAddress>(_hostAttacks.Keys);
        var limit = Math.Max(_options.MaxDetailsPerShard, hosts.Count);
        foreach (var (host, c) in main.Hosts)
        {
            if (hosts.Count >= limit)
            {
                break;
            }
            if (c.Detail is not null || (_hosts.TryGetValue(host, out var st) && st.Confirm.Pending))
            {
                hosts.Add(host);
            }
        }
        var prefixes = new HashSet<PrefixKey>(_prefixAttacks.Keys);
        foreach (var (key, p) in _prefixes)
        {
            if (p.Confirm.Pending)
            {
                prefixes.Add(key);
            }
        }
        return new WatchList(hosts, prefixes);
    }

    static string AttackId(DateTime start, NetPrefix target, AttackTargetKind kind)
    {
        var t = kind == AttackTargetKind.Host ? target.Network.ToString() : target.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{start:yyyyMMdd'T'HHmmss'Z'}-{t}");
    }

    void Emit(AttackState a, AttackEventKind kind, DateTime now, long second)
    {
        a.Sequence++;
        a.LastEventSecond = second;
        a.ReportedPeakPps = a.PeakPps;
        a.ReportedMask = a.Mask;
        _events.Add(new AttackEvent(kind, a.ToAttack(_options.TopCount), now));
    }
}

/// <summary>Cumulative counters of the detector and its shards.</summary>
public sealed record DetectorStats(long Ticks, long Records, long Whitelisted, long Unmonitored, long FoldedRecords, long DetailsDenied);

/// <summary>Inbound and outbound totals of one host group for one second.</summary>
public sealed record GroupTraffic(string Group, int Hosts, ulong InPackets, ulong InBytes, ulong InFlows, ulong OutPackets, ulong OutBytes);

/// <summary>Inbound totals of one aggregation prefix for one second.</summary>
public sealed record PrefixTraffic(NetPrefix Prefix, int Hosts, ulong InPackets, ulong InBytes, ulong OutPackets, ulong OutBytes);

/// <summary>What the detector saw in one second: host and prefix counts, per-group totals, the busiest prefixes.</summary>
public sealed record TrafficSnapshot(DateTime SecondEnd, int Hosts, int OverflowPrefixes, int Prefixes, IReadOnlyList<GroupTraffic> Groups, IReadOnlyList<PrefixTraffic> TopPrefixes);

internal struct HostState
{
    public Baseline Baseline;
    public Confirmation Confirm;
    public long LastSeen;
}

internal struct PrefixState
{
    public Baseline Baseline;
    public Confirmation Confirm;
    public long LastSeen;
}

internal struct PrefixAggregate
{
    /// <summary>Inbound traffic of hosts not under their own attack, plus folded hosts.</summary>
    public DirectionCounters Residual;
    public ulong InPackets;
    public ulong InBytes;
    public ulong OutPackets;
    public ulong OutBytes;
    public int Hosts;
    public int ResidualHosts;
    public int Elevated;
    public uint MaxHostPackets;
    public bool Folded;
    public int Network;
}

internal struct GroupTotals
{
    public int Hosts;
    public ulong InPackets;
    public ulong InBytes;
    public ulong InFlows;
    public ulong OutPackets;
    public ulong OutBytes;
}
