using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;
using Belfry.Ddos.Detection;
using Belfry.Flows;

namespace Belfry.Ddos.Tests;

/// <summary>Synthetic flow records and a detector driven one explicit second at a time.</summary>
internal sealed class Sim
{
    public static readonly DateTime T0 = new(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);

    public Sim(DetectorOptions options, int shards = 1)
    {
        Detector = new DdosDetector(options, Events.Add);
        for (var i = 0; i < shards; i++)
        {
            Shards.Add(Detector.CreateShard());
        }
    }

    public DdosDetector Detector { get; }
    public List<CounterShard> Shards { get; } = [];
    public CounterShard Shard => Shards[0];
    public List<AttackEvent> Events { get; } = [];
    public DateTime Now { get; private set; } = T0;

    public IEnumerable<AttackEvent> Of(AttackEventKind kind) => Events.Where(e => e.Kind == kind);

    /// <summary>Counts the traffic into the current second, then ticks at its end.</summary>
    public void Second(Action<CounterShard>? traffic = null)
    {
        traffic?.Invoke(Shard);
        Now = Now.AddSeconds(1);
        Detector.Tick(Now);
    }

    public void Seconds(int n, Action<CounterShard>? traffic = null)
    {
        for (var i = 0; i < n; i++)
        {
            Second(traffic);
        }
    }

    public static NetAddress Ip(string s) => NetAddress.Parse(s);

    public static NetAddress V4(uint a) => NetAddress.FromV4(a);

    /// <summary>A source address spread over 100.64.0.0/10-like space: distinct per <paramref name="i"/>.</summary>
    public static NetAddress Source(int i) => NetAddress.FromV4(0x0B00_0000u + (uint)i * 7919u);

    public static FlowRecord Flow(NetAddress src, NetAddress dst, byte protocol, ushort srcPort, ushort dstPort, ulong packets, int packetSize, ushort tcpFlags = 0, bool fragment = false, uint srcAs = 0) => new()
    {
        Source = FlowSource.Ipfix,
        SrcAddress = src,
        DstAddress = dst,
        Protocol = protocol,
        SrcPort = srcPort,
        DstPort = dstPort,
        TcpFlags = tcpFlags,
        IsFragment = fragment,
        Packets = packets,
        Bytes = packets * (ulong)packetSize,
        RawPackets = packets,
        RawBytes = packets * (ulong)packetSize,
        SamplingRate = 1,
        SrcAs = srcAs,
    };

    /// <summary>Sends <paramref name="pps"/> packets in <paramref name="records"/> records built by <paramref name="make"/>(i, packetsOfThisRecord).</summary>
    public static void Send(CounterShard shard, long pps, int records, Func<int, ulong, FlowRecord> make)
    {
        var per = (ulong)(pps / records);
        var rest = (ulong)(pps - ((long)per * records));
        for (var i = 0; i < records; i++)
        {
            var r = make(i, per + (i == 0 ? rest : 0));
            shard.Count(r);
        }
    }

    public static DetectorOptions Options(string network = "192.0.2.0/24", double pps = 100_000, Func<HostGroup, HostGroup>? group = null, Func<DetectorOptions, DetectorOptions>? more = null)
    {
        var g = new HostGroup
        {
            Name = HostGroup.DefaultName,
            Thresholds = new TrafficThresholds { Pps = pps },
            HostBaseline = new BaselineOptions { Enabled = false },
            PrefixBaseline = new BaselineOptions { Enabled = false },
        };
        g = group?.Invoke(g) ?? g;
        var o = new DetectorOptions
        {
            Networks = [new MonitoredNetwork(NetPrefix.Parse(network), HostGroup.DefaultName, "org-belnet")],
            Groups = [g],
            HoldDownSeconds = 5,
        };
        return more?.Invoke(o) ?? o;
    }
}
