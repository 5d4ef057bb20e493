using Belfry.Core.Net;

namespace Belfry.Mitigation.Tests;

public sealed class FlowspecVectorsTests
{
    static readonly NetPrefix s_target = NetPrefix.Parse("198.51.100.7/32");

    [Theory]
    [InlineData("dns", 53)]
    [InlineData("ntp", 123)]
    [InlineData("ssdp", 1900)]
    [InlineData("memcached", 11211)]
    [InlineData("cldap", 389)]
    [InlineData("chargen", 19)]
    [InlineData("snmp", 161)]
    [InlineData("ws_discovery_amplification", 3702)]
    [InlineData("mdns_amplification", 5353)]
    public void TryGetRule_AmplificationVector_UdpFromServicePort(string vector, int port)
    {
        Assert.True(FlowspecVectors.TryGetRule(vector, s_target, FlowspecAction.Discard, out var rule));
        Assert.Equal(s_target, rule.Destination);
        Assert.Equal(IpProtocol.Udp, rule.Protocol);
        Assert.Equal([(ushort)port], rule.SourcePorts);
        Assert.Empty(rule.DestinationPorts);
        Assert.Equal(TcpFlags.None, rule.TcpFlags);
        Assert.True(rule.Action.IsDiscard);
    }

    [Fact]
    public void TryGetRule_Syn_TcpWithSynFlag()
    {
        Assert.True(FlowspecVectors.TryGetRule("syn", s_target, FlowspecAction.RateLimit(1000), out var rule));
        Assert.Equal(IpProtocol.Tcp, rule.Protocol);
        Assert.Equal(TcpFlags.Syn, rule.TcpFlags);
        Assert.Empty(rule.SourcePorts);
        Assert.Equal(1000f, rule.Action.BytesPerSecond);
    }

    [Fact]
    public void TryGetRule_IcmpOnIpv4AndIpv6_IcmpAndIcmpv6()
    {
        Assert.True(FlowspecVectors.TryGetRule("icmp", s_target, FlowspecAction.Discard, out var v4));
        Assert.Equal(IpProtocol.Icmp, v4.Protocol);
        Assert.True(FlowspecVectors.TryGetRule("icmp", NetPrefix.Parse("2001:db8::7/128"), FlowspecAction.Discard, out var v6));
        Assert.Equal(IpProtocol.Icmpv6, v6.Protocol);
    }

    [Fact]
    public void TryGetRule_Fragment_IsFragmentAnyProtocol()
    {
        Assert.True(FlowspecVectors.TryGetRule("fragment", s_target, FlowspecAction.Discard, out var rule));
        Assert.Equal(FragmentFlags.IsFragment, rule.Fragment);
        Assert.Null(rule.Protocol);
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("generic_udp")]
    [InlineData("udp_flood")]
    [InlineData("UDP-flood")]
    public void TryGetRule_GenericUdp_ProtocolUdpOnly(string vector)
    {
        Assert.True(FlowspecVectors.TryGetRule(vector, s_target, FlowspecAction.Discard, out var rule));
        Assert.Equal(IpProtocol.Udp, rule.Protocol);
        Assert.Empty(rule.SourcePorts);
    }

    [Theory]
    [InlineData("ack")]
    [InlineData("rst_flood")]
    [InlineData("carpet_bombing")]
    [InlineData("ack_rst_flood")]
    [InlineData("tcp_flood")]
    [InlineData("ip_flood")]
    [InlineData("")]
    public void TryGetRule_VectorWithoutSafeRule_False(string vector)
    {
        Assert.False(FlowspecVectors.TryGetRule(vector, s_target, FlowspecAction.Discard, out _));
    }

    [Theory]
    [InlineData("DNS_amplification", "dns")]
    [InlineData("dns-amplification", "dns")]
    [InlineData("ntp_amp", "ntp")]
    [InlineData("SYN_flood", "syn")]
    [InlineData("tcp_syn", "syn")]
    [InlineData("icmp_flood", "icmp")]
    [InlineData("fragment_flood", "fragment")]
    [InlineData(" memcached ", "memcached")]
    [InlineData("generic udp", "udp")]
    public void Normalize_DetectorNames_CanonicalName(string vector, string expected)
    {
        Assert.Equal(expected, FlowspecVectors.Normalize(vector));
    }
}
