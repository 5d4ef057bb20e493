using Belfry.Core.Net;
using Belfry.Ddos.Counters;
using Belfry.Ddos.Detection;
using static Belfry.Ddos.Tests.Sim;

namespace Belfry.Ddos.Tests;

public class CounterTests
{
    static DirectionCounters CountOne(byte protocol, ushort flags, ushort srcPort, bool fragment)
    {
        var c = new DirectionCounters();
        c.Count(protocol, flags, srcPort, fragment, 10, 1000);
        return c;
    }

    [Theory]
    [InlineData(0x02, true, false)]  // SYN
    [InlineData(0x12, false, false)] // SYN+ACK: not a SYN flood packet
    [InlineData(0x10, false, true)]  // ACK
    [InlineData(0x04, false, true)]  // RST
    [InlineData(0x14, false, true)]  // RST+ACK
    [InlineData(0x18, false, false)] // PSH+ACK
    [InlineData(0x11, false, false)] // FIN+ACK
    [InlineData(0x1B, false, false)] // a whole connection's flags in one flow
    public void Count_TcpFlags_SynAndAckRstClasses(ushort flags, bool syn, bool ackRst)
    {
        var c = CountOne(6, flags, 443, false);
        Assert.Equal(10u, c[TrafficClass.Tcp].Packets);
        Assert.Equal(syn ? 10u : 0u, c[TrafficClass.TcpSyn].Packets);
        Assert.Equal(ackRst ? 10u : 0u, c[TrafficClass.TcpAckRst].Packets);
    }

    [Theory]
    [InlineData(53, TrafficClass.Dns)]
    [InlineData(123, TrafficClass.Ntp)]
    [InlineData(1900, TrafficClass.Ssdp)]
    [InlineData(11211, TrafficClass.Memcached)]
    [InlineData(389, TrafficClass.Cldap)]
    [InlineData(19, TrafficClass.Chargen)]
    [InlineData(161, TrafficClass.Snmp)]
    [InlineData(520, TrafficClass.Rip)]
    [InlineData(137, TrafficClass.NetBios)]
    [InlineData(111, TrafficClass.Portmap)]
    [InlineData(3702, TrafficClass.WsDiscovery)]
    [InlineData(3283, TrafficClass.Arms)]
    public void Count_UdpFromAmplificationPort_CountsThatClassNotUdpOther(ushort port, TrafficClass expected)
    {
        var c = CountOne(17, 0, port, false);
        Assert.Equal(10u, c[TrafficClass.Udp].Packets);
        Assert.Equal(10u, c[expected].Packets);
        Assert.Equal(0u, c[TrafficClass.UdpOther].Packets);
    }

    [Fact]
    public void Count_TcpFromPort53_NotAmplification()
    {
        var c = CountOne(6, 0x18, 53, false);
        Assert.Equal(0u, c[TrafficClass.Dns].Packets);
    }

    [Fact]
    public void Count_UdpFragmentWithoutPorts_FragmentNotUdpOther()
    {
        var c = CountOne(17, 0, 0, true);
        Assert.Equal(10u, c[TrafficClass.Fragment].Packets);
        Assert.Equal(10u, c[TrafficClass.Udp].Packets);
        Assert.Equal(0u, c[TrafficClass.UdpOther].Packets);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(58)]
    public void Count_IcmpAndIcmpv6_Icmp(byte protocol)
    {
        Assert.Equal(10u, CountOne(protocol, 0, 0, false)[TrafficClass.Icmp].Packets);
    }

    [Fact]
    public void Count_HugePacketCounts_Saturate()
    {
        var c = new DirectionCounters();
        c.Count(17, 0, 9999, false, uint.MaxValue, ulong.MaxValue - 5);
        c.Count(17, 0, 9999, false, 7, 100);
        Assert.Equal(uint.MaxValue, c.Packets);
        Assert.Equal(ulong.MaxValue, c.Bytes);
        Assert.Equal(2u, c.Flows);
    }

    [Fact]
    public void Count_FloodOf5MillionDistinctHostsInSlash8_HostCountStaysAtCap()
    {
        var options = new DetectorOptions
        {
            Networks = [new MonitoredNetwork(NetPrefix.Parse("10.0.0.0/8")), new MonitoredNetwork(NetPrefix.Parse("2001:db8::/32"))],
            MaxHostsPerShard = 100_000,
            MaxOverflowPrefixesPerShard = 16_384,
        };
        var detector = new DdosDetector(options);
        var shard = detector.CreateShard();
        const int Hosts = 5_000_000;
        var src = Ip("198.51.100.1");
        for (var i = 0; i < Hosts; i++)
        {
            // Scatter the destinations over the /8 (odd multiplier: a permutation of the 24 host bits).
            var dst = NetAddress.FromV4(0x0A00_0000u | (((uint)i * 2654435761u) & 0x00FF_FFFFu));
            shard.Count(Flow(src, dst, 17, 53, 4000, 2, 100));
        }
        for (var i = 0; i < 100_000; i++)
        {
            shard.Count(Flow(src, Ip("2001:db8::1") with { }, 17, 53, 4000, 0, 0) with { DstAddress = new NetAddress(Ip("2001:db8::").Value + (UInt128)((ulong)i << 64)) });
        }
        detector.Tick(T0.AddSeconds(1));

        var s = detector.LastSecond!;
        Assert.Equal(100_000, s.Hosts);
        Assert.InRange(s.OverflowPrefixes, 1, 16_384 + 2);
        // Nothing lost to the cap: every packet is in a host or a folded prefix.
        Assert.Equal(2UL * Hosts, s.Groups[0].InPackets);
        Assert.Equal(5_100_000 - 100_000, detector.Stats.FoldedRecords);
    }

    [Fact]
    public void Count_HostOverCap_FoldedIntoItsSlash24()
    {
        var options = new DetectorOptions { Networks = [new MonitoredNetwork(NetPrefix.Parse("10.0.0.0/8"))], MaxHostsPerShard = 2 };
        var detector = new DdosDetector(options);
        var shard = detector.CreateShard();
        shard.Count(Flow(Source(1), Ip("10.1.1.1"), 17, 53, 1, 5, 100));
        shard.Count(Flow(Source(1), Ip("10.1.1.2"), 17, 53, 1, 5, 100));
        shard.Count(Flow(Source(1), Ip("10.1.2.3"), 17, 53, 1, 7, 100));
        shard.Count(Flow(Source(1), Ip("10.1.2.4"), 17, 53, 1, 11, 100));
        detector.Tick(T0.AddSeconds(1));

        var s = detector.LastSecond!;
        Assert.Equal(2, s.Hosts);
        Assert.Equal(1, s.OverflowPrefixes);
        var folded = Assert.Single(s.TopPrefixes, p => p.Prefix == NetPrefix.Parse("10.1.2.0/24"));
        Assert.Equal(18UL, folded.InPackets);
        Assert.Equal(0, folded.Hosts);
    }

    [Fact]
    public void Count_NestedNetworks_LongestMatchGroup()
    {
        var options = new DetectorOptions
        {
            Networks = [new MonitoredNetwork(NetPrefix.Parse("10.0.0.0/8"), "isp"), new MonitoredNetwork(NetPrefix.Parse("10.9.0.0/16"), "gov")],
            Groups = [new HostGroup { Name = "isp" }, new HostGroup { Name = "gov" }],
        };
        var detector = new DdosDetector(options);
        var shard = detector.CreateShard();
        shard.Count(Flow(Source(1), Ip("10.9.1.1"), 6, 443, 80, 3, 100, 0x18));
        shard.Count(Flow(Source(1), Ip("10.8.1.1"), 6, 443, 80, 5, 100, 0x18));
        detector.Tick(T0.AddSeconds(1));

        var groups = detector.LastSecond!.Groups.ToDictionary(g => g.Group);
        Assert.Equal(5UL, groups["isp"].InPackets);
        Assert.Equal(3UL, groups["gov"].InPackets);
    }

    [Fact]
    public void Options_UnknownGroup_Throws()
    {
        var options = new DetectorOptions { Networks = [new MonitoredNetwork(NetPrefix.Parse("10.0.0.0/8"), "nope")] };
        Assert.Throws<ArgumentException>(() => new DdosDetector(options));
    }
}
