using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Net;
using Belfry.Ddos.Detection;
using Belfry.Flows;

namespace Belfry.Ddos.Counters;

/// <summary>
/// Per-host counters written by exactly one receive loop. Create one per loop with
/// <see cref="DdosDetector.CreateShard"/> and pass <see cref="Sink"/> to the decoder:
/// <code>var sink = shard.Sink; decoder.Decode(datagram, exporter, nowMs, ref sink);</code>
/// No locks on the write path: each record brackets its writes with an odd/even sequence number,
/// and the detector, after swapping the active window, runs a process-wide memory barrier and
/// waits only while the sequence is odd (a record in flight into the old window).
/// </summary>
public sealed class CounterShard : IFlowSink
{
    readonly DetectorConfig _config;
    readonly NetworkTable _monitored;
    readonly NetworkTable? _whitelist;
    readonly NetworkInfo[] _networks;
    readonly int _maxHosts;
    readonly int _maxOverflow;
    readonly uint _detailMinPackets;
    CounterWindow _active;
    long _sequence;
    WatchList? _watch;

    internal CounterShard(DetectorConfig config, CounterWindow first)
    {
        _config = config;
        _monitored = config.Monitored;
        _whitelist = config.Whitelist;
        _networks = config.Networks;
        _maxHosts = config.Options.MaxHostsPerShard;
        _maxOverflow = config.Options.MaxOverflowPrefixesPerShard;
        _detailMinPackets = (uint)Math.Clamp(config.Options.DetailMinPps, 0, uint.MaxValue);
        _active = first;
    }

    /// <summary>A struct sink over this shard, so the decoder is specialised and calls <see cref="Count"/> directly.</summary>
    public CounterShardSink Sink => new(this);

    public void OnFlow(in FlowRecord record) => Count(record);

    public void OnCounters(in SFlowInterfaceCounters counters)
    {
    }

    /// <summary>Counts one record for its monitored destination (in) and monitored source (out). Allocation free once the host is known.</summary>
    public void Count(in FlowRecord r)
    {
        var seq = _sequence;
        Volatile.Write(ref _sequence, seq + 1);
        var w = Volatile.Read(ref _active);
        w.Records++;
        var monitored = false;
        if (_monitored.TryLookup(r.DstAddress, out var dstNet))
        {
            monitored = true;
            if (_whitelist is not null && _whitelist.TryLookup(r.SrcAddress, out _))
            {
                w.Whitelisted++;
            }
            else
            {
                CountIn(w, dstNet, r);
            }
        }
        if (_monitored.TryLookup(r.SrcAddress, out var srcNet))
        {
            monitored = true;
            if (_whitelist is not null && _whitelist.TryLookup(r.DstAddress, out _))
            {
                w.Whitelisted++;
            }
            else
            {
                ref var c = ref HostRef(w, r.SrcAddress, srcNet);
                c.Out.Count(r.Protocol, r.TcpFlags, r.SrcPort, r.IsFragment, Clamp(r.Packets), r.Bytes);
            }
        }
        if (!monitored)
        {
            w.Unmonitored++;
        }
        Volatile.Write(ref _sequence, seq + 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Clamp(ulong packets) => packets > uint.MaxValue ? uint.MaxValue : (uint)packets;

    void CountIn(CounterWindow w, int network, in FlowRecord r)
    {
        ref var c = ref HostRef(w, r.DstAddress, network);
        c.In.Count(r.Protocol, r.TcpFlags, r.SrcPort, r.IsFragment, Clamp(r.Packets), r.Bytes);
        var detail = c.Detail;
        if (detail is null)
        {
            if (c.In.Packets < _detailMinPackets || c.DetailDenied)
            {
                return;
            }
            detail = Attach(w, ref c);
            if (detail is null)
            {
                return;
            }
        }
        detail.Add(r.SrcAddress, r.SrcPort, r.SrcAs, r.Protocol, r.Packets);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    ref HostCounters HostRef(CounterWindow w, NetAddress host, int network)
    {
        ref var c = ref CollectionsMarshal.GetValueRefOrNullRef(w.Hosts, host);
        if (Unsafe.IsNullRef(ref c))
        {
            return ref AddHost(w, host, network);
        }
        return ref c;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    ref HostCounters AddHost(CounterWindow w, NetAddress host, int network)
    {
        var hosts = w.Hosts;
        if (hosts.Count >= _maxHosts)
        {
            return ref Fold(w, _networks[network], host, network, _maxOverflow);
        }
        w.HostCapacity = CounterWindow.Grow(hosts, w.HostCapacity, _maxHosts);
        ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(hosts, host, out _);
        c.Network = network;
        var watch = Volatile.Read(ref _watch);
        if (watch is not null && (watch.Hosts.Contains(host) || watch.Prefixes.Contains(_networks[network].AggregateOf(host))))
        {
            Attach(w, ref c);
        }
        return ref c;
    }

    /// <summary>Folds a host past the cap into its aggregation prefix, or past that cap into its monitored network.</summary>
    internal static ref HostCounters Fold(CounterWindow w, in NetworkInfo info, NetAddress host, int network, int maxOverflow)
    {
        w.Folded++;
        var key = info.AggregateOf(host);
        var overflow = w.Overflow;
        if (overflow.Count >= maxOverflow && !overflow.ContainsKey(key))
        {
            key = info.NetworkKey;
        }
        else
        {
            w.OverflowCapacity = CounterWindow.Grow(overflow, w.OverflowCapacity, maxOverflow);
        }
        ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(overflow, key, out var exists);
        if (!exists)
        {
            c.Network = network;
            c.DetailDenied = true;
        }
        return ref c;
    }

    static HostDetail? Attach(CounterWindow w, ref HostCounters c)
    {
        var d = w.RentDetail();
        if (d is null)
        {
            c.DetailDenied = true;
        }
        c.Detail = d;
        return d;
    }

    // Detector side. Only the detector thread calls these.

    internal CounterWindow Swap(CounterWindow fresh) => Interlocked.Exchange(ref _active, fresh);

    /// <summary>After <see cref="Swap"/> and a process-wide barrier: waits while a record that may hold the old window is in flight.</summary>
    internal void WaitForWriter()
    {
        var seq = Volatile.Read(ref _sequence);
        if ((seq & 1) == 0)
        {
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _sequence) == seq)
        {
            spin.SpinOnce();
        }
    }

    internal void SetWatch(WatchList watch) => Volatile.Write(ref _watch, watch);

    internal DetectorConfig Config => _config;
}

/// <summary>Hosts and prefixes the detector wants sketches for from the first record of a second.</summary>
internal sealed class WatchList(HashSet<NetAddress> hosts, HashSet<PrefixKey> prefixes)
{
    public HashSet<NetAddress> Hosts { get; } = hosts;
    public HashSet<PrefixKey> Prefixes { get; } = prefixes;
}

/// <summary>The <see cref="IFlowSink"/> struct the decoders take by <c>ref</c>; forwards to its <see cref="CounterShard"/>.</summary>
public readonly struct CounterShardSink(CounterShard shard) : IFlowSink
{
    public void OnFlow(in FlowRecord record) => shard.Count(record);

    public void OnCounters(in SFlowInterfaceCounters counters)
    {
    }
}
