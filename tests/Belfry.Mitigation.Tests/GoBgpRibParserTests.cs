using Belfry.Core.Net;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Mitigation.Tests;

public sealed class GoBgpRibParserTests
{
    [Fact]
    public void ParseRib_RouterIpv4_BlackholesWithCommunitiesAndNextHop()
    {
        var routes = GoBgpRibParser.ParseRib(GoBgpCaptures.RouterIpv4);
        Assert.Equal(3, routes.Count);
        var bh = Assert.Single(routes, r => r.Key == "198.51.100.7/32");
        Assert.Equal(NetPrefix.Parse("198.51.100.7/32"), bh.Prefix);
        Assert.Equal(NetAddress.Parse("192.0.2.1"), bh.NextHop);
        Assert.Equal([BgpCommunity.Blackhole, BgpCommunity.NoExport, BgpCommunity.Parse("64512:666")], bh.Communities);
        Assert.True(bh.IsBlackhole);
        Assert.False(bh.IsFlowspec);
    }

    [Fact]
    public void ParseRib_PlainRoute_NotABlackhole()
    {
        var plain = Assert.Single(GoBgpRibParser.ParseRib(GoBgpCaptures.BelfryIpv4), r => r.Key == "203.0.113.0/24");
        Assert.Empty(plain.Communities);
        Assert.False(plain.IsBlackhole);
        Assert.Equal(NetAddress.Parse("192.0.2.254"), plain.NextHop);
    }

    [Fact]
    public void ParseRib_RouterIpv6_NextHopFromMpReach()
    {
        var route = Assert.Single(GoBgpRibParser.ParseRib(GoBgpCaptures.RouterIpv6));
        Assert.Equal(NetPrefix.Parse("2001:db8::7/128"), route.Prefix);
        Assert.Equal(NetAddress.Parse("100::1"), route.NextHop);
        Assert.True(route.IsBlackhole);
    }

    [Fact]
    public void ParseRib_RouterIpv4Flowspec_EveryRuleModelled()
    {
        var routes = GoBgpRibParser.ParseRib(GoBgpCaptures.RouterIpv4Flowspec);
        Assert.Equal(8, routes.Count);
        Assert.All(routes, r => Assert.True(r.IsFlowspec));
        Assert.All(routes, r => Assert.NotNull(r.Rule));

        var syn = Rule(routes, "[destination: 198.51.100.0/24][protocol: ==tcp][tcp-flags: S]");
        Assert.Equal(NetPrefix.Parse("198.51.100.0/24"), syn.Destination);
        Assert.Equal(IpProtocol.Tcp, syn.Protocol);
        Assert.Equal(TcpFlags.Syn, syn.TcpFlags);
        Assert.Equal(10_000f, syn.Action.BytesPerSecond);

        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, Rule(routes, "[destination: 198.51.100.1/32][protocol: ==tcp][tcp-flags: SA]").TcpFlags);
        Assert.Equal(FragmentFlags.IsFragment, Rule(routes, "[destination: 198.51.100.0/24][fragment: is-fragment]").Fragment);
        Assert.Equal(FragmentFlags.IsFragment | FragmentFlags.FirstFragment,
            Rule(routes, "[destination: 198.51.100.0/24][fragment: is-fragment+first-fragment]").Fragment);
        Assert.Equal(IpProtocol.Icmp, Rule(routes, "[destination: 198.51.100.0/24][protocol: ==icmp]").Protocol);
        Assert.Equal(12500.5f, Rule(routes, "[destination: 198.51.100.2/32][protocol: ==udp]").Action.BytesPerSecond);

        // Two-byte ports: gobgp's operator bytes 0x11 / 0x91 carry the length bits.
        var amp = Rule(routes, "[destination: 198.51.100.0/24][protocol: ==udp][destination-port: ==80][source-port: ==11211 ==389]");
        Assert.Equal([(ushort)11211, 389], amp.SourcePorts);
        Assert.Equal([(ushort)80], amp.DestinationPorts);
        Assert.Equal(125_000f, amp.Action.BytesPerSecond);
        Assert.Equal("flowspec ipv4 destination 198.51.100.0/24 protocol udp destination-port ==80 source-port ==389 ==11211", amp.Id.Value);
    }

    [Fact]
    public void ParseRib_RouterIpv6Flowspec_OffsetZeroAndIcmpv6()
    {
        var routes = GoBgpRibParser.ParseRib(GoBgpCaptures.RouterIpv6Flowspec);
        var ntp = Rule(routes, "[destination: 2001:db8::/64/0][protocol: ==udp][source-port: ==123]");
        Assert.Equal(NetPrefix.Parse("2001:db8::/64"), ntp.Destination);
        Assert.True(ntp.IsV6);
        Assert.Equal([(ushort)123], ntp.SourcePorts);
        Assert.True(ntp.Action.IsDiscard);
        Assert.Equal(IpProtocol.Icmpv6, Rule(routes, "[destination: 2001:db8::7/128/0][protocol: ==58]").Protocol);
    }

    [Fact]
    public void ParseRib_RuleRebuiltFromRib_SameIdAsAnnouncedRule()
    {
        var announced = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Udp, SourcePorts = [11211, 389], Action = FlowspecAction.RateLimit(125_000) };
        var routes = GoBgpRibParser.ParseRib(GoBgpCaptures.RouterIpv4Flowspec);
        var found = Assert.Single(routes, r => r.Rule?.Id == announced.Id).Rule!;
        Assert.Equal(announced.Action, found.Action);
    }

    [Fact]
    public void ParseRib_RangeAndRedirect_ForeignRouteWithoutRule()
    {
        var routes = GoBgpRibParser.ParseRib(GoBgpCaptures.SoloIpv4FlowspecForeign);
        var foreign = Assert.Single(routes, r => r.Key.Contains(">=1024", StringComparison.Ordinal));
        Assert.True(foreign.IsFlowspec);
        Assert.Null(foreign.Rule);
        Assert.Equal(NetPrefix.Parse("192.0.2.0/24"), foreign.Prefix);

        var withSource = Assert.Single(routes, r => r.Key.Contains("source: 203.0.113.0/24", StringComparison.Ordinal)).Rule!;
        Assert.Equal(NetPrefix.Parse("203.0.113.0/24"), withSource.Source);
        Assert.Equal([(ushort)443], withSource.DestinationPorts);
        Assert.True(withSource.Action.IsDiscard);
    }

    [Fact]
    public void ParseRib_EmptyListingOrEmptyOutput_NoRoutes()
    {
        Assert.Empty(GoBgpRibParser.ParseRib(GoBgpCaptures.EmptyRib));
        Assert.Empty(GoBgpRibParser.ParseRib(""));
    }

    [Theory]
    [InlineData("Network not in table")]
    [InlineData("[]")]
    [InlineData("{\"198.51.100.7/32\":[{\"attrs\":[]}]}")]
    [InlineData("{\"198.51.100.7/32\":[{\"nlri\":{\"prefix\":\"x\"},\"attrs\":[{\"type\":8,\"communities\":[-1]}]}]}")]
    public void ParseRib_NotARibListing_MitigationException(string text)
    {
        Assert.Throws<MitigationException>(() => GoBgpRibParser.ParseRib(text));
    }

    [Fact]
    public void ParseNeighbors_Established_StateSix()
    {
        var peer = Assert.Single(GoBgpRibParser.ParseNeighbors(GoBgpCaptures.RouterNeighborEstablished));
        Assert.Equal("127.0.0.1", peer.Address);
        Assert.Equal(64512u, peer.PeerAs);
        Assert.True(peer.IsEstablished);
        Assert.Empty(GoBgpRibParser.ParseNeighbors(GoBgpCaptures.NoNeighbors));
    }

    static FlowspecRule Rule(IReadOnlyList<GoBgpRoute> routes, string key) =>
        Assert.Single(routes, r => r.Key == key).Rule ?? throw new InvalidOperationException($"{key} has no rule");
}
