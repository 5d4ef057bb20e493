using Belfry.Core.Net;
using Belfry.Integration.Tests.Servers;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Integration.Tests.Bgp;

/// <summary>
/// Belfry's routes as a peer router sees them: announced through the "belfry" gobgpd, checked in the
/// RIB of the "router" gobgpd across a real BGP session, then withdrawn.
/// </summary>
[Collection(GoBgpCollection.Name)]
public sealed class GoBgpMitigatorTests(GoBgpFixture bgp)
{
    static readonly NetAddress s_v4Target = NetAddress.Parse("198.51.100.7");
    static readonly NetAddress s_v6Target = NetAddress.Parse("2001:db8::7");

    [Fact]
    public async Task AnnounceAndWithdraw_BlackholesAndFlowspec_PeerRouterSeesThemThenNot()
    {
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions with { ExtraCommunities = ["64513:666"] });
        var ct = TestContext.Current.CancellationToken;
        var dns = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Udp, SourcePorts = [53] };
        var syn6 = new FlowspecRule(NetPrefix.Parse("2001:db8::/64"))
        {
            Protocol = IpProtocol.Tcp,
            TcpFlags = TcpFlags.Syn,
            Action = FlowspecAction.RateLimit(125_000),
        };

        var bh4 = await mitigator.AnnounceBlackholeAsync(s_v4Target, "test: DNS amplification", ct);
        var bh6 = await mitigator.AnnounceBlackholeAsync(s_v6Target, "test: v6", ct);
        var fs4 = await mitigator.AnnounceFlowspecAsync(dns, "test: DNS amplification", ct);
        var fs6 = await mitigator.AnnounceFlowspecAsync(syn6, "test: SYN", ct);

        var v4 = await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Key == "198.51.100.7/32"));
        var route4 = Assert.Single(v4, x => x.Key == "198.51.100.7/32");
        Assert.Contains(BgpCommunity.Blackhole, route4.Communities);
        Assert.Contains(BgpCommunity.NoExport, route4.Communities);
        Assert.Contains(BgpCommunity.Parse("64513:666"), route4.Communities);
        Assert.Equal(NetAddress.Parse("192.0.2.1"), route4.NextHop);

        var v6 = await bgp.WaitForRouterRibAsync("ipv6", r => r.Any(x => x.Key == "2001:db8::7/128"));
        var route6 = Assert.Single(v6, x => x.Key == "2001:db8::7/128");
        Assert.Contains(BgpCommunity.Blackhole, route6.Communities);
        Assert.Equal(NetAddress.Parse("100::1"), route6.NextHop);

        var flow4 = await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.Any(x => x.Rule?.Id == dns.Id));
        var rule4 = Assert.Single(flow4, x => x.Rule?.Id == dns.Id).Rule!;
        Assert.Equal("[destination: 198.51.100.0/24][protocol: ==udp][source-port: ==53]", Assert.Single(flow4, x => x.Rule?.Id == dns.Id).Key);
        Assert.Equal(IpProtocol.Udp, rule4.Protocol);
        Assert.Equal([(ushort)53], rule4.SourcePorts);
        Assert.True(rule4.Action.IsDiscard);

        var flow6 = await bgp.WaitForRouterRibAsync("ipv6-flowspec", r => r.Any(x => x.Rule?.Id == syn6.Id));
        var rule6 = Assert.Single(flow6, x => x.Rule?.Id == syn6.Id).Rule!;
        Assert.Equal(TcpFlags.Syn, rule6.TcpFlags);
        Assert.Equal(125_000f, rule6.Action.BytesPerSecond);

        var active = await mitigator.ListActiveAsync(ct);
        foreach (var m in new[] { bh4, bh6, fs4, fs6 })
        {
            var listed = Assert.Single(active, a => a.Id == m.Id);
            Assert.Equal(m.Reason, listed.Reason);
        }

        foreach (var m in new[] { bh4, bh6, fs4, fs6 })
        {
            Assert.True(await mitigator.WithdrawAsync(m.Id, ct), $"{m.Id} was not active");
        }
        Assert.False(await mitigator.WithdrawAsync(bh4.Id, ct));

        await bgp.WaitForRouterRibAsync("ipv4", r => r.All(x => x.Key != "198.51.100.7/32"));
        await bgp.WaitForRouterRibAsync("ipv6", r => r.All(x => x.Key != "2001:db8::7/128"));
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.All(x => x.Rule?.Id != dns.Id));
        await bgp.WaitForRouterRibAsync("ipv6-flowspec", r => r.All(x => x.Rule?.Id != syn6.Id));
        Assert.DoesNotContain(await mitigator.ListActiveAsync(ct), m => m.Id == bh4.Id || m.Id == bh6.Id || m.Id == fs4.Id || m.Id == fs6.Id);
    }

    [Fact]
    public async Task AnnounceBlackhole_WhitelistedTarget_RefusedAndRouterNeverSeesIt()
    {
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions);
        using var manager = new MitigationManager(mitigator, new MitigationPolicy
        {
            NeverBlackhole = [NetPrefix.Parse("203.0.113.0/24")],
            BlackholeHostGroups = new HashSet<string> { MitigationPolicy.AllHostGroups },
        });
        var ct = TestContext.Current.CancellationToken;
        var nameServer = NetAddress.Parse("203.0.113.53");

        var manual = await manager.AnnounceBlackholeAsync(nameServer, "operator", ct);
        Assert.Equal(MitigationStatus.Refused, manual.Status);
        Assert.Contains("203.0.113.0/24", manual.Message, StringComparison.Ordinal);

        // An attack on the same host: the blackhole is refused, the Flowspec rule still goes out.
        var outcomes = await manager.OnAttackStartedAsync("whitelisted-1", nameServer, ["ntp_amplification"], "dns-servers", ct);
        Assert.Equal(MitigationStatus.Refused, Assert.Single(outcomes, o => o.Id == MitigationId.ForBlackhole(NetPrefix.Parse("203.0.113.53/32"))).Status);
        var ntp = Assert.Single(outcomes, o => o.Status == MitigationStatus.Announced);

        var flows = await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.Any(x => x.Rule?.Id == ntp.Id));
        Assert.Equal([(ushort)123], Assert.Single(flows, x => x.Rule?.Id == ntp.Id).Rule!.SourcePorts);
        Assert.DoesNotContain(await bgp.RouterRibAsync("ipv4", ct), x => x.Key == "203.0.113.53/32");

        Assert.Equal(MitigationStatus.Withdrawn, (await manager.WithdrawAsync(ntp.Id!.Value, ct)).Status);
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.All(x => x.Rule?.Id != ntp.Id));
    }

    [Fact]
    public async Task TickAsync_AttackEndedPlusHoldTime_WithdrawsFromRouter()
    {
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions);
        var hold = TimeSpan.FromMinutes(10);
        using var manager = new MitigationManager(mitigator, new MitigationPolicy
        {
            HoldTime = hold,
            BlackholeHostGroups = new HashSet<string> { "hosting" },
        });
        var ct = TestContext.Current.CancellationToken;
        var target = NetAddress.Parse("198.51.100.77");
        var blackhole = MitigationId.ForBlackhole(NetPrefix.Parse("198.51.100.77/32"));

        var outcomes = await manager.OnAttackStartedAsync("attack-77", target, ["dns", "syn"], "hosting", ct);
        Assert.Equal(3, outcomes.Count(o => o.Status == MitigationStatus.Announced));
        Assert.Contains(outcomes, o => o.Id == blackhole);
        await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Key == "198.51.100.77/32" && x.IsBlackhole));
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.Count(x => x.Prefix == NetPrefix.Parse("198.51.100.77/32")) == 2);

        var ended = new DateTime(2026, 5, 4, 12, 0, 0, DateTimeKind.Utc);
        Assert.True(manager.OnAttackEnded("attack-77", ended));

        Assert.Empty(await manager.TickAsync(ended + hold - TimeSpan.FromSeconds(1), ct));
        Assert.Contains(await manager.ListActiveAsync(ct), m => m.Id == blackhole);

        var withdrawn = await manager.TickAsync(ended + hold, ct);
        Assert.Equal(3, withdrawn.Count(o => o.Status == MitigationStatus.Withdrawn));
        await bgp.WaitForRouterRibAsync("ipv4", r => r.All(x => x.Key != "198.51.100.77/32"));
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.All(x => x.Prefix != NetPrefix.Parse("198.51.100.77/32")));
        Assert.Empty(manager.Attacks);
    }
}
