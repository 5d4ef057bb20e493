using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using static Belfry.Ddos.Tests.Sim;

namespace Belfry.Ddos.Tests;

public class DdosDetectorTests
{
    static readonly NetAddress s_target = Ip("192.0.2.10");

    static Action<Belfry.Ddos.Counters.CounterShard> Flood(long pps, byte protocol = 17, int srcPort = 53, ushort flags = 0, bool fragment = false, int size = 1200, NetAddress? target = null, int sources = 200) =>
        shard => Send(shard, pps, sources, (i, p) => Flow(Source(i), target ?? s_target, protocol, (ushort)(srcPort < 0 ? 20000 + i : srcPort), 40000, p, size, flags, fragment, srcAs: 64500 + (uint)(i % 3)));

    [Theory]
    [InlineData("dns_amplification", 17, 53, 0, false)]
    [InlineData("ntp_amplification", 17, 123, 0, false)]
    [InlineData("ssdp_amplification", 17, 1900, 0, false)]
    [InlineData("memcached_amplification", 17, 11211, 0, false)]
    [InlineData("cldap_amplification", 17, 389, 0, false)]
    [InlineData("chargen_amplification", 17, 19, 0, false)]
    [InlineData("snmp_amplification", 17, 161, 0, false)]
    [InlineData("ws_discovery_amplification", 17, 3702, 0, false)]
    [InlineData("syn_flood", 6, -1, 0x02, false)]
    [InlineData("ack_rst_flood", 6, -1, 0x10, false)]
    [InlineData("ack_rst_flood", 6, -1, 0x04, false)]
    [InlineData("ack_rst_flood", 6, -1, 0x14, false)]
    [InlineData("tcp_flood", 6, -1, 0x18, false)]
    [InlineData("icmp_flood", 1, 0, 0, false)]
    [InlineData("fragment_flood", 17, 0, 0, true)]
    [InlineData("udp_flood", 17, -1, 0, false)]
    public void Tick_SingleVectorAttack_ClassifiedByVector(string expected, byte protocol, int srcPort, ushort flags, bool fragment)
    {
        var sim = new Sim(Options());
        sim.Second(Flood(500_000, protocol, srcPort, flags, fragment));

        var started = Assert.Single(sim.Of(AttackEventKind.Started));
        Assert.Equal(expected, AttackVectors.Identifier(started.Attack.MainVector));
        Assert.Single(started.Attack.Vectors);
        Assert.Equal(AttackTargetKind.Host, started.Attack.TargetKind);
        Assert.Equal(s_target, started.Attack.TargetAddress);
    }

    [Fact]
    public void Tick_DnsAmplificationPlusSynFlood_ListsBothVectors()
    {
        var sim = new Sim(Options());
        sim.Second(s =>
        {
            Flood(300_000, 17, 53, size: 1400)(s);
            Flood(300_000, 6, -1, 0x02, size: 60)(s);
        });

        var a = Assert.Single(sim.Of(AttackEventKind.Started)).Attack;
        Assert.Contains(AttackVector.DnsAmplification, a.Vectors);
        Assert.Contains(AttackVector.SynFlood, a.Vectors);
        Assert.Equal(2, a.Vectors.Count);
    }

    [Fact]
    public void Tick_FragmentedDnsAmplification_DnsIsMainVector()
    {
        // Each 3-fragment reply: the first fragment carries port 53, the other two have no ports.
        var sim = new Sim(Options());
        sim.Second(s =>
        {
            Flood(150_000, 17, 53, fragment: true, size: 1480)(s);
            Flood(300_000, 17, 0, fragment: true, size: 1480)(s);
        });

        var a = Assert.Single(sim.Of(AttackEventKind.Started)).Attack;
        Assert.Equal(AttackVector.DnsAmplification, a.MainVector);
        Assert.Contains(AttackVector.FragmentFlood, a.Vectors);
    }

    [Fact]
    public void Tick_TwiceThresholdForOneFullSecond_RaisedAtFirstEvaluation()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second();
        sim.Second(Flood(200_000));

        var started = Assert.Single(sim.Events);
        Assert.Equal(AttackEventKind.Started, started.Kind);
        Assert.Equal(T0.AddSeconds(2), started.Time);
        Assert.Equal(T0.AddSeconds(1), started.Attack.Start);
        Assert.Equal(TimeSpan.FromSeconds(1), started.Attack.Detected - started.Attack.Start);
        Assert.Equal(200_000, started.Attack.PeakPps);
        Assert.Equal("pps", started.Attack.Trigger);
        Assert.Equal(DetectionReason.Threshold, started.Attack.Reason);
    }

    [Fact]
    public void Tick_OnePointFiveTimesThreshold_RaisedAtSecondEvaluation()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second(Flood(150_000));
        Assert.Empty(sim.Events);

        sim.Second(Flood(150_000));
        var started = Assert.Single(sim.Events);
        Assert.Equal(T0.AddSeconds(2), started.Time);
        Assert.Equal(T0, started.Attack.Start);
    }

    [Fact]
    public void Tick_OnePointNineTimesThreshold_NotRaisedAfterOneSecondButAfterTwo()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second(Flood(190_000));
        Assert.Empty(sim.Events);
        sim.Second(Flood(190_000));
        Assert.Single(sim.Of(AttackEventKind.Started));
    }

    [Fact]
    public void Tick_JustAboveThreshold_RaisedAfterConfirmSeconds()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Seconds(2, Flood(110_000));
        Assert.Empty(sim.Events);
        sim.Second(Flood(110_000));
        Assert.Single(sim.Of(AttackEventKind.Started));
    }

    [Fact]
    public void Tick_BelowThresholdWithBursts_NoAttack()
    {
        // 0.95× steadily, with every other second at 1.4×: a run never lasts two seconds.
        var sim = new Sim(Options(pps: 100_000));
        for (var i = 0; i < 30; i++)
        {
            sim.Second(Flood(i % 2 == 0 ? 95_000 : 140_000));
        }
        Assert.Empty(sim.Events);
    }

    [Fact]
    public void Tick_SynFloodUnderPpsThresholdButOverSynThreshold_Raised()
    {
        var sim = new Sim(Options(pps: 1_000_000, group: g => g with { Thresholds = g.Thresholds with { SynPps = 20_000 } }));
        sim.Second(Flood(40_000, 6, -1, 0x02, size: 60));

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal("syn_pps", a.Trigger);
        Assert.Equal(AttackVector.SynFlood, a.MainVector);
    }

    [Fact]
    public void Tick_MbpsThreshold_UsesBits()
    {
        // 10,000 packets × 1,500 bytes × 8 = 120 Mbit/s against a 50 Mbit/s threshold: 2.4×.
        var sim = new Sim(Options(pps: 1_000_000, group: g => g with { Thresholds = g.Thresholds with { Mbps = 50 } }));
        sim.Second(Flood(10_000, size: 1500));

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal("mbps", a.Trigger);
        Assert.Equal(120_000_000, a.PeakBps);
    }

    static DetectorOptions BaselineOptions(bool enabled = true) => Options(pps: 100_000, group: g => g with
    {
        HostBaseline = new BaselineOptions { Enabled = enabled, Multiplier = 5, FloorPps = 10_000, FloorMbps = 1_000, FloorFlowsPerSecond = 100_000, WarmupSeconds = 120, TimeConstantSeconds = 300 },
    });

    [Fact]
    public void Tick_HostJumpsFrom1kTo20kUnder100kThreshold_RaisedByBaseline()
    {
        var sim = new Sim(BaselineOptions());
        sim.Seconds(180, Flood(1_000, 6, -1, 0x18, size: 500, sources: 20));
        Assert.Empty(sim.Events);

        sim.Second(Flood(20_000, 17, -1, size: 500, sources: 20));

        var started = Assert.Single(sim.Events);
        Assert.Equal(DetectionReason.Baseline, started.Attack.Reason);
        Assert.StartsWith("baseline:", started.Attack.Trigger, StringComparison.Ordinal);
        Assert.Equal(AttackVector.UdpFlood, started.Attack.MainVector);
    }

    [Fact]
    public void Tick_SameJumpWithoutBaseline_NotRaised()
    {
        var sim = new Sim(BaselineOptions(enabled: false));
        sim.Seconds(180, Flood(1_000, 6, -1, 0x18, size: 500, sources: 20));
        sim.Seconds(10, Flood(20_000, 17, -1, size: 500, sources: 20));
        Assert.Empty(sim.Events);
    }

    [Fact]
    public void Tick_LongBaselineAttack_BaselineDoesNotLearnTheAttack()
    {
        var sim = new Sim(BaselineOptions());
        sim.Seconds(180, Flood(1_000, 6, -1, 0x18, size: 500, sources: 20));
        // 20 minutes of attack: were the attack learned, the baseline would pass 4k (20k/5) and the attack would end.
        sim.Seconds(1200, Flood(20_000, 17, -1, size: 500, sources: 20));
        Assert.Single(sim.Of(AttackEventKind.Started));
        Assert.Empty(sim.Of(AttackEventKind.Ended));

        sim.Seconds(10, Flood(1_000, 6, -1, 0x18, size: 500, sources: 20));
        Assert.Single(sim.Of(AttackEventKind.Ended));
    }

    [Fact]
    public void Tick_AttackStops_EndsAfterHoldDown()
    {
        var sim = new Sim(Options(pps: 100_000, more: o => o with { HoldDownSeconds = 5 }));
        sim.Seconds(3, Flood(300_000));
        var lastAttackSecond = sim.Now;
        sim.Seconds(4);
        Assert.Empty(sim.Of(AttackEventKind.Ended));
        Assert.Single(sim.Detector.ActiveAttacks);

        sim.Second();
        var ended = Assert.Single(sim.Of(AttackEventKind.Ended));
        Assert.Equal(lastAttackSecond.AddSeconds(5), ended.Attack.End);
        Assert.Equal(lastAttackSecond, ended.Attack.LastSeen);
        Assert.Empty(sim.Detector.ActiveAttacks);
        Assert.Equal(300_000, ended.Attack.PeakPps);
        Assert.Equal(900_000UL, ended.Attack.TotalPackets);
    }

    [Fact]
    public void Tick_ShortDipDuringAttack_DoesNotEndIt()
    {
        var sim = new Sim(Options(pps: 100_000, more: o => o with { HoldDownSeconds = 5 }));
        sim.Seconds(3, Flood(300_000));
        sim.Seconds(4);
        sim.Seconds(3, Flood(300_000));
        sim.Seconds(4);
        Assert.Single(sim.Of(AttackEventKind.Started));
        Assert.Empty(sim.Of(AttackEventKind.Ended));
    }

    [Fact]
    public void Tick_LongAttack_UpdatesEveryIntervalAndOnPeak()
    {
        var sim = new Sim(Options(pps: 100_000, more: o => o with { UpdateIntervalSeconds = 10, PeakUpdateFactor = 1.5 }));
        sim.Seconds(25, Flood(300_000));
        // Started at second 1; updates at 11 and 21.
        Assert.Equal(2, sim.Of(AttackEventKind.Updated).Count());

        sim.Second(Flood(600_000));
        var update = sim.Events[^1];
        Assert.Equal(AttackEventKind.Updated, update.Kind);
        Assert.Equal(600_000, update.Attack.PeakPps);
        Assert.Equal(3, update.Attack.Sequence);
    }

    [Fact]
    public void Tick_WhitelistedSource_NotCounted()
    {
        var sim = new Sim(Options(pps: 100_000, more: o => o with { WhitelistedSources = [NetPrefix.Parse("198.51.100.0/24")] }));
        sim.Seconds(5, s => Send(s, 500_000, 50, (i, p) => Flow(Ip("198.51.100.7"), s_target, 17, 53, 4000, p, 1200)));
        Assert.Empty(sim.Events);
        Assert.Equal(250, sim.Detector.Stats.Whitelisted);

        sim.Second(s => Send(s, 500_000, 50, (i, p) => Flow(Ip("198.51.101.7"), s_target, 17, 53, 4000, p, 1200)));
        Assert.Single(sim.Events);
    }

    [Fact]
    public void Tick_TrafficFromMonitoredHost_CountedOutNotIn()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second(s => Send(s, 500_000, 50, (i, p) => Flow(s_target, Source(i), 17, 53, 4000, p, 1200)));
        Assert.Empty(sim.Events);
        var g = Assert.Single(sim.Detector.LastSecond!.Groups);
        Assert.Equal(500_000UL, g.OutPackets);
        Assert.Equal(0UL, g.InPackets);
    }

    [Fact]
    public void Tick_UnmonitoredDestination_Ignored()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second(Flood(500_000, target: Ip("203.0.113.9")));
        Assert.Empty(sim.Events);
        Assert.Equal(200, sim.Detector.Stats.Unmonitored);
    }

    [Fact]
    public void Tick_AttackSplitOverTwoShards_RatesSummed()
    {
        var sim = new Sim(Options(pps: 100_000), shards: 2);
        Flood(100_000)(sim.Shards[0]);
        Flood(100_000)(sim.Shards[1]);
        sim.Second();

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(200_000, a.PeakPps);
    }

    [Fact]
    public void Tick_CarpetBombingOfSlash24_RaisedForThePrefixNotTheHosts()
    {
        // 256 hosts at 1/50 of the 100k host threshold: 512k pps on the /24, 5.12× the host threshold.
        var sim = new Sim(Options(network: "192.0.2.0/24", pps: 100_000));
        void Carpet(Belfry.Ddos.Counters.CounterShard s)
        {
            for (var h = 0; h < 256; h++)
            {
                var dst = NetAddress.FromV4(0xC000_0200u + (uint)h);
                Send(s, 2_000, 4, (i, p) => Flow(Source((h * 4) + i), dst, 17, 53, 5000, p, 1400));
            }
        }
        sim.Seconds(3, Carpet);

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(AttackTargetKind.Prefix, a.TargetKind);
        Assert.Equal(NetPrefix.Parse("192.0.2.0/24"), a.Target);
        Assert.Equal(AttackVector.CarpetBombing, a.MainVector);
        Assert.Contains(AttackVector.DnsAmplification, a.Vectors);
        Assert.Equal(256, a.Hosts);
        Assert.Equal(512_000, a.PeakPps);
        Assert.Equal("org-belnet", a.Organisation);
    }

    [Fact]
    public void Tick_OneHostAttackedHard_NotCalledCarpetBombing()
    {
        var sim = new Sim(Options(network: "192.0.2.0/24", pps: 100_000));
        sim.Seconds(5, s =>
        {
            Flood(1_000_000)(s);
            for (var h = 20; h < 60; h++)
            {
                Send(s, 500, 1, (i, p) => Flow(Source(h), NetAddress.FromV4(0xC000_0200u + (uint)h), 6, 443, 50000, p, 800, 0x18));
            }
        });
        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(AttackTargetKind.Host, a.TargetKind);
    }

    [Fact]
    public void Tick_ManyHostsModeratelyElevated_RaisedAsCarpetBombing()
    {
        var options = Options(network: "192.0.2.0/24", pps: 100_000, group: g => g with
        {
            HostBaseline = new BaselineOptions { WarmupSeconds = 60, TimeConstantSeconds = 300, FloorPps = 10_000 },
            PrefixBaseline = new BaselineOptions { WarmupSeconds = 60, TimeConstantSeconds = 300, FloorPps = 10_000 },
            Carpet = new CarpetOptions { ElevatedMultiplier = 2, MinElevatedHosts = 32 },
        });
        var sim = new Sim(options);
        Action<Belfry.Ddos.Counters.CounterShard> Hosts(long pps) => s =>
        {
            for (var h = 0; h < 64; h++)
            {
                var dst = NetAddress.FromV4(0xC000_0200u + (uint)h);
                Send(s, pps, 2, (i, p) => Flow(Source((h * 2) + i), dst, 6, 443, 50000, p, 800, 0x18));
            }
        };
        sim.Seconds(120, Hosts(500));
        Assert.Empty(sim.Events);

        // Each host at 3× its own baseline: under its 5× alert level; the /24 at 3× its baseline.
        sim.Seconds(3, Hosts(1_500));

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(AttackTargetKind.Prefix, a.TargetKind);
        Assert.Equal(DetectionReason.ElevatedHosts, a.Reason);
        Assert.Equal(AttackVector.CarpetBombing, a.MainVector);
    }

    [Fact]
    public void Tick_BusyNormalTrafficWithDiurnalSwing_NoFalsePositive()
    {
        var options = Options(network: "10.20.0.0/16", pps: 100_000, group: g => g with
        {
            Thresholds = new TrafficThresholds { Pps = 100_000, Mbps = 1_000, SynPps = 20_000, AmplificationPps = 20_000 },
            PrefixThresholds = new TrafficThresholds { Pps = 3_000_000 },
            HostBaseline = new BaselineOptions { WarmupSeconds = 300, TimeConstantSeconds = 300 },
            PrefixBaseline = new BaselineOptions { WarmupSeconds = 300, TimeConstantSeconds = 300 },
        });
        var sim = new Sim(options);
        var rng = new Random(23768213);
        var mean = Enumerable.Range(0, 200).Select(_ => 10_000 + rng.Next(40_000)).ToArray();
        for (var t = 0; t < 1800; t++)
        {
            var day = 1 + (0.4 * Math.Sin(2 * Math.PI * t / 1200.0));
            sim.Second(s =>
            {
                for (var h = 0; h < mean.Length; h++)
                {
                    var pps = (long)(mean[h] * day * (0.8 + (0.4 * rng.NextDouble())));
                    var dst = NetAddress.FromV4(0x0A14_0000u + ((uint)(h / 20) << 8) + (uint)(h % 20));
                    // Mostly web (PSH/ACK), some DNS answers and pings, as a busy server farm.
                    Send(s, pps * 8 / 10, 2, (i, p) => Flow(Source(h + (i * 1000)), dst, 6, 443, 50000, p, 900, 0x18));
                    Send(s, pps / 10, 1, (i, p) => Flow(Source(h + 7), dst, 17, 53, 50000, p, 300));
                    Send(s, pps / 10, 1, (i, p) => Flow(Source(h + 9), dst, 1, 0, 0, p, 84));
                }
            });
        }
        Assert.Empty(sim.Events);
        Assert.Equal(200, sim.Detector.LastSecond!.Hosts);
    }

    [Fact]
    public void Tick_AttackFromKnownSources_ReportsTopSourcesPortsAsnsAndDistinctCount()
    {
        var sim = new Sim(Options(pps: 100_000));
        sim.Second(s =>
        {
            // 3,000 distinct reflectors at 100 pps each, plus two heavy ones.
            for (var i = 0; i < 3000; i++)
            {
                s.Count(Flow(Source(i), s_target, 17, 123, 4444, 100, 468, srcAs: 64512));
            }
            s.Count(Flow(Ip("203.0.113.66"), s_target, 17, 123, 4444, 100_000, 468, srcAs: 65001));
            s.Count(Flow(Ip("203.0.113.77"), s_target, 17, 123, 4444, 80_000, 468, srcAs: 65002));
        });

        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(AttackVector.NtpAmplification, a.MainVector);
        Assert.Equal(Ip("203.0.113.66"), a.TopSources[0].Value);
        Assert.Equal(Ip("203.0.113.77"), a.TopSources[1].Value);
        Assert.Equal((ushort)123, a.TopSourcePorts[0].Value);
        Assert.Contains(a.TopSourceAsns, x => x.Value == 65001);
        Assert.InRange(a.DistinctSources, 3002 * 0.95, 3002 * 1.05);
    }

    [Fact]
    public void Tick_OrganisationResolver_UsedWhenNetworkHasNoOrganisation()
    {
        var options = Options(pps: 100_000) with
        {
            Networks = [new MonitoredNetwork(NetPrefix.Parse("192.0.2.0/24"))],
            OrganisationResolver = a => a == s_target ? "org-resolved" : null,
        };
        var sim = new Sim(options);
        sim.Second(Flood(300_000));
        Assert.Equal("org-resolved", Assert.Single(sim.Events).Attack.Organisation);
    }

    [Fact]
    public void Tick_Ipv6Target_Raised()
    {
        var target = Ip("2001:db8:1::10");
        var sim = new Sim(Options(network: "2001:db8::/32", pps: 100_000));
        sim.Second(s => Send(s, 300_000, 10, (i, p) => Flow(Ip("2001:db8:ffff::" + (i + 1)), target, 17, 389, 4000, p, 1400)));
        var a = Assert.Single(sim.Events).Attack;
        Assert.Equal(target, a.TargetAddress);
        Assert.Equal(128, a.Target.Length);
        Assert.Equal(AttackVector.CldapAmplification, a.MainVector);
    }

    [Fact]
    public void Tick_WriterOnAnotherThread_EveryPacketCountedOnce()
    {
        var sim = new Sim(Options(network: "10.0.0.0/8", pps: 1e12));
        const int Records = 2_000_000;
        var done = 0;
        var writer = new Thread(() =>
        {
            for (var i = 0; i < Records; i++)
            {
                sim.Shard.Count(Flow(Source(i), NetAddress.FromV4(0x0A00_0000u + (uint)(i % 5000)), 6, 443, 80, 3, 100, 0x18));
            }
            Volatile.Write(ref done, 1);
        });
        ulong counted = 0;
        writer.Start();
        var now = T0;
        while (Volatile.Read(ref done) == 0)
        {
            now = now.AddSeconds(1);
            sim.Detector.Tick(now);
            counted += sim.Detector.LastSecond!.Groups[0].InPackets;
        }
        writer.Join();
        sim.Detector.Tick(now.AddSeconds(1));
        counted += sim.Detector.LastSecond!.Groups[0].InPackets;
        Assert.Equal(3UL * Records, counted);
        Assert.Equal(Records, sim.Detector.Stats.Records);
    }
}
