using Belfry.Core.Constituency;
using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Detection;

/// <summary>
/// Static per-second thresholds for inbound traffic; <c>null</c> disables a metric. A host (or a
/// prefix aggregate) is over threshold when any metric is; its ratio is the largest rate/threshold.
/// </summary>
public sealed record TrafficThresholds
{
    public double? Pps { get; init; }
    public double? Mbps { get; init; }
    public double? FlowsPerSecond { get; init; }
    public double? TcpPps { get; init; }

    /// <summary>TCP SYN without ACK.</summary>
    public double? SynPps { get; init; }

    /// <summary>TCP with only ACK and/or RST.</summary>
    public double? AckRstPps { get; init; }
    public double? UdpPps { get; init; }
    public double? IcmpPps { get; init; }
    public double? FragmentPps { get; init; }

    /// <summary>UDP from all well-known amplification source ports together.</summary>
    public double? AmplificationPps { get; init; }

    public TrafficThresholds Scale(double factor) => new()
    {
        Pps = Pps * factor,
        Mbps = Mbps * factor,
        FlowsPerSecond = FlowsPerSecond * factor,
        TcpPps = TcpPps * factor,
        SynPps = SynPps * factor,
        AckRstPps = AckRstPps * factor,
        UdpPps = UdpPps * factor,
        IcmpPps = IcmpPps * factor,
        FragmentPps = FragmentPps * factor,
        AmplificationPps = AmplificationPps * factor,
    };

    /// <summary>The largest rate/threshold over the configured metrics, 0 when none is configured.</summary>
    internal double Ratio(in DirectionCounters c, out string metric)
    {
        double best = 0;
        metric = "";
        Check(ref best, ref metric, c.Packets, Pps, "pps");
        Check(ref best, ref metric, c.Bytes * 8 / 1e6, Mbps, "mbps");
        Check(ref best, ref metric, c.Flows, FlowsPerSecond, "flows");
        Check(ref best, ref metric, c[TrafficClass.Tcp].Packets, TcpPps, "tcp_pps");
        Check(ref best, ref metric, c[TrafficClass.TcpSyn].Packets, SynPps, "syn_pps");
        Check(ref best, ref metric, c[TrafficClass.TcpAckRst].Packets, AckRstPps, "ack_rst_pps");
        Check(ref best, ref metric, c[TrafficClass.Udp].Packets, UdpPps, "udp_pps");
        Check(ref best, ref metric, c[TrafficClass.Icmp].Packets, IcmpPps, "icmp_pps");
        Check(ref best, ref metric, c[TrafficClass.Fragment].Packets, FragmentPps, "fragment_pps");
        if (AmplificationPps is not null)
        {
            ulong amp = 0;
            for (var i = (int)TrafficClasses.FirstAmplification; i < TrafficClasses.Count; i++)
            {
                amp += c.Classes[i].Packets;
            }
            Check(ref best, ref metric, amp, AmplificationPps, "amplification_pps");
        }
        return best;

        static void Check(ref double best, ref string metric, double rate, double? limit, string name)
        {
            if (limit is > 0 && rate / limit.Value > best)
            {
                best = rate / limit.Value;
                metric = name;
            }
        }
    }
}

/// <summary>
/// Learned baselines: an exponentially weighted mean of each per-second rate (total pps, Mbps,
/// flows/s and pps of every <see cref="TrafficClass"/>). After <see cref="WarmupSeconds"/> samples
/// a rate above max(<see cref="Multiplier"/> × baseline, floor) is anomalous. Seconds that are
/// anomalous, pending confirmation or inside an attack are not learned.
/// </summary>
public sealed record BaselineOptions
{
    public bool Enabled { get; init; } = true;
    public double Multiplier { get; init; } = 5;
    public double FloorPps { get; init; } = 10_000;
    public double FloorMbps { get; init; } = 100;
    public double FloorFlowsPerSecond { get; init; } = 5_000;

    /// <summary>Samples (seconds with traffic, or gaps) before the baseline is trusted.</summary>
    public int WarmupSeconds { get; init; } = 300;

    /// <summary>EWMA time constant τ: each second moves the mean by 1 − e^(−1/τ) towards the sample.</summary>
    public double TimeConstantSeconds { get; init; } = 900;
}

/// <summary>Carpet bombing: an attack spread over many hosts of an aggregation prefix.</summary>
public sealed record CarpetOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>Hosts with traffic in the prefix before a prefix-level attack can be carpet bombing.</summary>
    public int MinHosts { get; init; } = 16;

    /// <summary>No single host may carry more than this share of the prefix's traffic.</summary>
    public double MaxHostShare { get; init; } = 0.5;

    /// <summary>A host at this many times its own baseline (but under its alert level) is "elevated".</summary>
    public double ElevatedMultiplier { get; init; } = 2;

    /// <summary>This many elevated hosts, with the prefix at ElevatedMultiplier × its baseline, is carpet bombing too.</summary>
    public int MinElevatedHosts { get; init; } = 32;

    /// <summary>Hosts below this pps are never counted as elevated.</summary>
    public double ElevatedMinPps { get; init; } = 100;
}

/// <summary>Detection settings shared by a set of monitored networks.</summary>
public sealed record HostGroup
{
    public const string DefaultName = "default";

    public required string Name { get; init; }

    /// <summary>Per host.</summary>
    public TrafficThresholds Thresholds { get; init; } = new() { Pps = 100_000, Mbps = 1_000, SynPps = 20_000, AmplificationPps = 20_000 };

    /// <summary>Per aggregation prefix (sum over its hosts); <c>null</c>: <see cref="Thresholds"/> × <see cref="PrefixFactor"/>.</summary>
    public TrafficThresholds? PrefixThresholds { get; init; }

    public double PrefixFactor { get; init; } = 4;

    public BaselineOptions HostBaseline { get; init; } = new();
    public BaselineOptions PrefixBaseline { get; init; } = new();
    public CarpetOptions Carpet { get; init; } = new();

    public TrafficThresholds EffectivePrefixThresholds => PrefixThresholds ?? Thresholds.Scale(PrefixFactor);

    public static HostGroup Default { get; } = new() { Name = DefaultName };
}

/// <summary>A monitored network: counted per host, aggregated per <see cref="AggregateLength"/> prefix.</summary>
public sealed record MonitoredNetwork(NetPrefix Prefix, string Group = HostGroup.DefaultName, string? Organisation = null)
{
    /// <summary>Aggregation prefix length for prefix counters and carpet bombing; 0: /24 for IPv4, /64 for IPv6.</summary>
    public int AggregateLength { get; init; }

    internal int EffectiveAggregateLength =>
        AggregateLength > 0 ? Math.Max(Math.Min(AggregateLength, Prefix.IsV4 ? 32 : 128), Prefix.Length) : Math.Max(Prefix.IsV4 ? 24 : 64, Prefix.Length);
}

/// <summary>Everything the counters and detector are configured with. Immutable; build a new detector to change it.</summary>
public sealed record DetectorOptions
{
    public IReadOnlyList<MonitoredNetwork> Networks { get; init; } = [];
    public IReadOnlyList<HostGroup> Groups { get; init; } = [HostGroup.Default];

    /// <summary>Remote peers whose traffic is never counted (inbound from them, outbound to them).</summary>
    public IReadOnlyList<NetPrefix> WhitelistedSources { get; init; } = [];

    /// <summary>Organisation id for a target the monitored network does not name; may be null.</summary>
    public Func<NetAddress, string?>? OrganisationResolver { get; init; }

    /// <summary>Hosts counted individually per shard and second; further hosts fold into per-prefix counters.</summary>
    public int MaxHostsPerShard { get; init; } = 100_000;

    /// <summary>Per-prefix overflow counters per shard; beyond, traffic folds into one counter per monitored network.</summary>
    public int MaxOverflowPrefixesPerShard { get; init; } = 16_384;

    /// <summary>Hosts per shard and second with distinct-source and top-talker sketches (~4.6 KiB each).</summary>
    public int MaxDetailsPerShard { get; init; } = 4_096;

    /// <summary>Hosts with detector state (baselines, confirmation); idle ones are dropped after <see cref="IdleSeconds"/>.</summary>
    public int MaxTrackedHosts { get; init; } = 262_144;
    public int MaxTrackedPrefixes { get; init; } = 131_072;
    public int IdleSeconds { get; init; } = 3_600;

    /// <summary>Inbound pps from which a host gets sketches within the second (hosts under attack or watch get them anyway).</summary>
    public double DetailMinPps { get; init; } = 1_000;

    /// <summary>Any above-threshold run this long raises an attack; faster when the excess Σ(ratio − 1) reaches 1.</summary>
    public int ConfirmSeconds { get; init; } = 3;

    /// <summary>An attack ends after this many consecutive seconds below its alert level.</summary>
    public int HoldDownSeconds { get; init; } = 10;
    public int UpdateIntervalSeconds { get; init; } = 10;

    /// <summary>An update is also sent when the peak grows by this factor over the last reported peak.</summary>
    public double PeakUpdateFactor { get; init; } = 1.1;

    /// <summary>A traffic class with at least this share of an attack's packets or bytes is one of its vectors.</summary>
    public double VectorMinShare { get; init; } = 0.2;
    public int TopCount { get; init; } = 10;

    /// <summary>Monitored networks from the organisations' registered prefixes.</summary>
    public static IReadOnlyList<MonitoredNetwork> NetworksOf(IEnumerable<Organisation> organisations, string group = HostGroup.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(organisations);
        return [.. organisations.SelectMany(o => o.Prefixes.Select(p => new MonitoredNetwork(p, group, o.Id)))];
    }
}
