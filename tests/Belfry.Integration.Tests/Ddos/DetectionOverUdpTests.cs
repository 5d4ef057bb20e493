using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Generation;
using static Belfry.Integration.Tests.Ddos.DdosRig;

namespace Belfry.Integration.Tests.Ddos;

/// <summary>
/// Detection scenarios over loopback UDP: the project's generator exports NetFlow v9, IPFIX or sFlow,
/// the real collector decodes it into the detector's shards, and the test closes each second only
/// after every record of it arrived.
/// </summary>
public sealed class DetectionOverUdpTests
{
    const double Threshold = 20_000;
    const string Target = "203.0.113.10";

    public static TheoryData<string, string, byte, ushort, byte, int> Vectors => new()
    {
        // expected vector, format, protocol, source port, TCP flags, packet size
        { "dns_amplification", "ipfix", 17, 53, 0, 1200 },
        { "ntp_amplification", "netflow9", 17, 123, 0, 468 },
        { "ssdp_amplification", "sflow", 17, 1900, 0, 320 },
        { "memcached_amplification", "ipfix", 17, 11211, 0, 1400 },
        { "cldap_amplification", "netflow9", 17, 389, 0, 1400 },
        { "chargen_amplification", "sflow", 17, 19, 0, 1000 },
        { "snmp_amplification", "ipfix", 17, 161, 0, 900 },
        { "syn_flood", "netflow9", 6, 0, 0x02, 60 },
        { "ack_rst_flood", "sflow", 6, 0, 0x10, 60 },
        { "ack_rst_flood", "ipfix", 6, 0, 0x14, 60 },
        { "icmp_flood", "sflow", 1, 0, 0, 84 },
        { "udp_flood", "netflow9", 17, 40_001, 0, 512 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Tick_VectorAtFourTimesThresholdOverUdp_RaisedWithThatVectorAndExactRate(string vector, string format, byte protocol, ushort sourcePort, byte flags, int size)
    {
        await using var rig = new DdosRig(Options(new TrafficThresholds { Pps = Threshold }));

        var sent = await rig.SecondAsync(Format(format), 2_000, Pattern(Target, protocol, 4 * Threshold, size, sourcePort, flags));

        var started = Assert.Single(rig.Raised);
        Assert.Equal(AttackEventKind.Started, started.Kind);
        var a = started.Attack;
        Assert.Equal(NetAddress.Parse(Target), a.TargetAddress);
        Assert.Equal(AttackTargetKind.Host, a.TargetKind);
        Assert.Equal(vector, AttackVectors.Identifier(a.MainVector));
        Assert.Equal("org-victims", a.Organisation);
        // Every sampled record crossed the socket before the tick: the rate is exactly what was sent.
        Assert.Equal((double)PacketsOf(sent), a.CurrentPps);
        Assert.Equal(T0.AddSeconds(1), a.Detected);
    }

    [Fact]
    public async Task Tick_FragmentFloodOverIpfix_RaisedAsFragmentFlood()
    {
        await using var rig = new DdosRig(Options(new TrafficThresholds { Pps = Threshold }));
        // Non-first fragments carry no ports; 800 records of 100 packets = 80,000 pps.
        var records = Enumerable.Range(0, 800).Select(i => new FlowRecord
        {
            SrcAddress = NetAddress.FromV4(0x6440_0000u + (uint)i),
            DstAddress = NetAddress.Parse(Target),
            Protocol = 17,
            IsFragment = true,
            RawPackets = 100,
            RawBytes = 100 * 1480,
        }).ToArray();

        await rig.SendRecordsAsync(records);
        rig.Tick();

        var a = Assert.Single(rig.Raised).Attack;
        Assert.Equal([AttackVector.FragmentFlood], a.Vectors);
        Assert.Equal(80_000, a.CurrentPps);
    }

    [Theory]
    [InlineData("sflow")]
    [InlineData("ipfix")]
    public async Task Tick_CarpetBombingOfSlash24_RaisedForThePrefixNotItsHosts(string format)
    {
        // 240,000 pps over 256 hosts: ~940 pps each, far below the 20,000 host threshold; the /24 is at 3× its 80,000.
        await using var rig = new DdosRig(Options(new TrafficThresholds { Pps = Threshold }));

        await rig.SecondAsync(Format(format), 2_000, Pattern("203.0.113.0/24", 17, 240_000, 468, sourcePort: 123, sampling: 50, sources: 2_000));

        var a = Assert.Single(rig.Raised).Attack;
        Assert.Equal(AttackTargetKind.Prefix, a.TargetKind);
        Assert.Equal(Victims, a.Target);
        Assert.Equal(AttackVector.CarpetBombing, a.MainVector);
        Assert.Contains(AttackVector.NtpAmplification, a.Vectors);
        Assert.True(a.Hosts >= 100, $"hosts {a.Hosts}");
    }

    [Fact]
    public async Task Tick_JumpBelowThresholdAfterWarmup_RaisedByBaseline()
    {
        var options = Options(new TrafficThresholds { Pps = Threshold }, g => g with
        {
            HostBaseline = new BaselineOptions { WarmupSeconds = 5, TimeConstantSeconds = 30, Multiplier = 5, FloorPps = 2_000, FloorMbps = 1_000, FloorFlowsPerSecond = 100_000 },
        });
        await using var rig = new DdosRig(options);
        var web = Pattern(Target, 6, 1_000, 900, sourcePort: 443, flags: 0x18, sampling: 10);
        for (var s = 0; s < 6; s++)
        {
            await rig.SecondAsync(FlowExportFormat.NetFlowV9, 0, web);
        }
        Assert.Empty(rig.Raised);

        // 12,000 pps of UDP: under the 20,000 pps threshold, twelve times the learned 1,000.
        var sent = await rig.SecondAsync(FlowExportFormat.NetFlowV9, 0, web, Pattern(Target, 17, 11_000, 512, sourcePort: 40_001, sampling: 10));

        var a = Assert.Single(rig.Raised).Attack;
        Assert.Equal(DetectionReason.Baseline, a.Reason);
        Assert.StartsWith("baseline:", a.Trigger, StringComparison.Ordinal);
        Assert.True(a.CurrentPps < Threshold, $"{a.CurrentPps} pps is not below the threshold");
        Assert.Equal((double)PacketsOf(sent), a.CurrentPps);
        Assert.Equal(AttackVector.UdpFlood, a.MainVector);
    }

    [Theory]
    [InlineData("ipfix")]
    [InlineData("sflow")]
    public async Task Tick_BusyNormalTrafficForTenSeconds_NoAttack(string format)
    {
        // Operator-like settings: 100k pps / 1 Gbit/s per host, 20k SYN and amplification, 2M pps per /24,
        // learned baselines (short warm-up so they judge most of the run). About 240,000 pps of mixed web, DNS,
        // QUIC and ping traffic to a /24 (sFlow: 24,000 samples/s at 1:10).
        var options = Options(new TrafficThresholds { Pps = 100_000, Mbps = 1_000, SynPps = 20_000, AmplificationPps = 20_000 }, g => g with
        {
            PrefixThresholds = new TrafficThresholds { Pps = 2_000_000, Mbps = 20_000 },
            HostBaseline = new BaselineOptions { WarmupSeconds = 3, TimeConstantSeconds = 30 },
            PrefixBaseline = new BaselineOptions { WarmupSeconds = 3, TimeConstantSeconds = 30 },
        });
        await using var rig = new DdosRig(options) { BackgroundSampling = format == "sflow" ? 10u : 1u };
        long records = 0;
        for (var s = 0; s < 10; s++)
        {
            records += (await rig.SecondAsync(Format(format), format == "sflow" ? 24_000 : 16_000)).Records;
        }

        Assert.Empty(rig.Raised);
        Assert.True(rig.Engine.Detector.LastSecond!.Hosts > 200, $"hosts {rig.Engine.Detector.LastSecond!.Hosts}");
        Assert.Equal(records, rig.Engine.Detector.Stats.Records);
    }

    [Fact]
    public async Task Tick_AttackStops_EndedAfterHoldDown()
    {
        await using var rig = new DdosRig(Options(new TrafficThresholds { Pps = Threshold }));
        var syn = Pattern(Target, 6, 3 * Threshold, 60, flags: 0x02, sampling: 50);
        await rig.SecondAsync(FlowExportFormat.SFlow, 1_000, syn);
        await rig.SecondAsync(FlowExportFormat.SFlow, 1_000, syn);

        await rig.SecondAsync(FlowExportFormat.SFlow, 1_000);
        Assert.Empty(rig.Of(AttackEventKind.Ended));
        await rig.SecondAsync(FlowExportFormat.SFlow, 1_000);

        var ended = Assert.Single(rig.Of(AttackEventKind.Ended)).Attack;
        Assert.Equal(T0.AddSeconds(4), ended.End);
        Assert.Equal(T0.AddSeconds(2), ended.LastSeen);
        Assert.Equal(AttackVector.SynFlood, ended.MainVector);
    }

    static FlowExportFormat Format(string name) => name switch
    {
        "ipfix" => FlowExportFormat.Ipfix,
        "netflow9" => FlowExportFormat.NetFlowV9,
        _ => FlowExportFormat.SFlow,
    };
}
