using System.Globalization;
using Belfry.Core.Net;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Mitigation.Tests;

public sealed class GoBgpCommandTests
{
    static readonly BgpOptions s_options = new() { Api = "127.0.0.1:50051" };

    [Fact]
    public void AddBlackhole_Ipv4_HostRouteDiscardNextHopBlackholeAndNoExport()
    {
        var args = GoBgpCommand.AddBlackhole(s_options, NetAddress.Parse("198.51.100.7"));
        Assert.Equal(
            ["-u", "127.0.0.1", "-p", "50051", "global", "rib", "-a", "ipv4", "add", "198.51.100.7/32",
             "nexthop", "192.0.2.1", "community", "65535:666,65535:65281"],
            args);
    }

    [Fact]
    public void AddBlackhole_Ipv6_Slash128AndIpv6NextHop()
    {
        var args = GoBgpCommand.AddBlackhole(s_options, NetAddress.Parse("2001:db8::7"));
        Assert.Equal(["-a", "ipv6", "add", "2001:db8::7/128", "nexthop", "100::1"], args.Skip(6).Take(6));
    }

    [Fact]
    public void AddBlackhole_ExtraCommunitiesWithoutNoExport_BlackholeFirstNoDuplicates()
    {
        var options = s_options with { NoExport = false, ExtraCommunities = ["64513:666", "blackhole", " 64513:9999 "] };
        var args = GoBgpCommand.AddBlackhole(options, NetAddress.Parse("198.51.100.7"));
        Assert.Equal("65535:666,64513:666,64513:9999", args[^1]);
    }

    [Fact]
    public void AddFlowspec_DnsAmplificationDiscard_GoBgpMatchSyntax()
    {
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Udp, SourcePorts = [53] };
        Assert.Equal(
            ["-u", "127.0.0.1", "-p", "50051", "global", "rib", "-a", "ipv4-flowspec", "add", "match",
             "destination", "198.51.100.0/24", "protocol", "udp", "source-port", "==53", "then", "discard"],
            GoBgpCommand.AddFlowspec(s_options, rule));
    }

    [Fact]
    public void AddFlowspec_EveryComponent_InComponentTypeOrder()
    {
        var rule = new FlowspecRule(NetPrefix.Parse("2001:db8::/64"))
        {
            Source = NetPrefix.Parse("2001:db8:bad::/48"),
            Protocol = IpProtocol.Tcp,
            DestinationPorts = [443, 80, 443],
            SourcePorts = [1024],
            TcpFlags = TcpFlags.Syn | TcpFlags.Ack,
            Fragment = FragmentFlags.IsFragment | FragmentFlags.FirstFragment,
            Action = FlowspecAction.RateLimit(1_000_000),
        };
        var args = GoBgpCommand.AddFlowspec(s_options, rule).Skip(7).ToList();
        Assert.Equal(
            ["ipv6-flowspec", "add", "match", "destination", "2001:db8::/64", "source", "2001:db8:bad::/48", "protocol", "tcp",
             "destination-port", "==80", "==443", "source-port", "==1024", "tcp-flags", "SA", "fragment", "is-fragment+first-fragment",
             "then", "rate-limit", "1000000"],
            args);
    }

    [Fact]
    public void AddFlowspec_RateWithFractionUnderCommaCulture_InvariantNumber()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture.Clone() is CultureInfo c ? WithComma(c) : previous;
            var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.2/32")) { Protocol = IpProtocol.Udp, Action = FlowspecAction.RateLimit(12500.5f) };
            Assert.Equal("12500.5", GoBgpCommand.AddFlowspec(s_options, rule)[^1]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        static CultureInfo WithComma(CultureInfo c)
        {
            c.NumberFormat.NumberDecimalSeparator = ",";
            return c;
        }
    }

    [Fact]
    public void DeleteFlowspec_SameMatchNoAction()
    {
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Icmp, Action = FlowspecAction.RateLimit(5) };
        Assert.Equal(
            ["global", "rib", "-a", "ipv4-flowspec", "del", "match", "destination", "198.51.100.0/24", "protocol", "icmp"],
            GoBgpCommand.DeleteFlowspec(s_options, rule).Skip(4));
    }

    [Fact]
    public void DeleteUnicast_Ipv6_FamilyFromPrefix()
    {
        Assert.Equal(["global", "rib", "-a", "ipv6", "del", "2001:db8::7/128"],
            GoBgpCommand.DeleteUnicast(s_options, NetPrefix.Parse("2001:db8::7/128")).Skip(4));
    }

    [Fact]
    public void ListRib_JsonFlagBeforeCommand()
    {
        Assert.Equal(["-u", "::1", "-p", "50052", "-j", "global", "rib", "-a", "ipv4-flowspec"],
            GoBgpCommand.ListRib(s_options with { Api = "[::1]:50052" }, "ipv4-flowspec"));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":50051")]
    [InlineData("host name:50051")]
    public void Validate_BadApi_ErrorAndCommandRefused(string api)
    {
        var options = s_options with { Api = api };
        Assert.Contains(options.Validate(), e => e.Contains("Api", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => GoBgpCommand.ListNeighbors(options));
    }

    [Theory]
    [InlineData("64513:666 nexthop 10.0.0.1")]
    [InlineData("65536:1")]
    [InlineData("666")]
    [InlineData("-p")]
    public void Validate_CommunityThatIsNotOne_Error(string community)
    {
        var errors = (s_options with { ExtraCommunities = [community] }).Validate();
        Assert.Contains(errors, e => e.Contains(community, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        Assert.Empty(new BgpOptions().Validate());
    }

    [Fact]
    public void ToDisplayString_ShellSpecialWords_SingleQuoted()
    {
        var text = GoBgpCommand.ToDisplayString("/usr/bin/gobgp", ["global", ">=1024", "&<=2048", "it's", "", "==53", "a b"]);
        Assert.Equal("/usr/bin/gobgp global '>=1024' '&<=2048' 'it'\\''s' '' ==53 'a b'", text);
    }

    [Fact]
    public void RuleId_PortOrderAndDuplicates_SameId()
    {
        var a = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Udp, SourcePorts = [389, 11211] };
        var b = a with { SourcePorts = [11211, 389, 389], Action = FlowspecAction.RateLimit(1) };
        Assert.Equal(a.Id, b.Id);
        Assert.Equal("flowspec ipv4 destination 198.51.100.0/24 protocol udp source-port ==389 ==11211", a.Id.Value);
        Assert.NotEqual(a.Id, (a with { Destination = NetPrefix.Parse("198.51.100.0/25") }).Id);
    }

    [Fact]
    public void TryValidate_PortsWithIcmp_Invalid()
    {
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Icmp, SourcePorts = [53] };
        Assert.False(rule.TryValidate(out var error));
        Assert.Contains("Ports", error, StringComparison.Ordinal);
        Assert.False((rule with { Protocol = IpProtocol.Udp, SourcePorts = [], TcpFlags = TcpFlags.Syn }).TryValidate(out _));
        Assert.False((rule with { Protocol = null, SourcePorts = [], Source = NetPrefix.Parse("2001:db8::/32") }).TryValidate(out _));
        Assert.True((rule with { Protocol = IpProtocol.Udp }).TryValidate(out _));
    }

    [Fact]
    public void GoBgpdConfig_TwoDaemonsOnLoopback_TomlWithPortsAndFamilies()
    {
        var toml = GoBgpdConfig.ToToml(64512, "127.0.0.1", 10179, ["127.0.0.1"],
            [new GoBgpPeer("127.0.0.1", 64513) { RemotePort = 10180, LocalAddress = "127.0.0.1", ConnectRetrySeconds = 1 }]);
        Assert.Contains("as = 64512\n", toml, StringComparison.Ordinal);
        Assert.Contains("port = 10179\n", toml, StringComparison.Ordinal);
        Assert.Contains("local-address-list = [\"127.0.0.1\"]", toml, StringComparison.Ordinal);
        Assert.Contains("remote-port = 10180\n", toml, StringComparison.Ordinal);
        Assert.Contains("connect-retry = 1\n", toml, StringComparison.Ordinal);
        foreach (var family in GoBgpdConfig.MitigationFamilies)
        {
            Assert.Contains($"afi-safi-name = \"{family}\"", toml, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("passive-mode", toml, StringComparison.Ordinal);
    }
}
