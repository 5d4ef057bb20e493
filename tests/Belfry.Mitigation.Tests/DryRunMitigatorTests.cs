using Belfry.Core.Net;

namespace Belfry.Mitigation.Tests;

public sealed class DryRunMitigatorTests
{
    static readonly BgpOptions s_options = new() { GoBgpPath = "gobgp", Api = "127.0.0.1:50051" };

    [Fact]
    public async Task AnnounceBlackhole_NoRouter_ListedWithReasonAndExactCommand()
    {
        var time = new ManualTime(new DateTimeOffset(2021, 5, 4, 11, 0, 0, TimeSpan.Zero));
        var dry = new DryRunMitigator(s_options, time: time);

        var m = await dry.AnnounceBlackholeAsync(NetAddress.Parse("198.51.100.7"), "DNS amplification");

        Assert.Equal(MitigationKind.Blackhole, m.Kind);
        Assert.Equal(NetPrefix.Parse("198.51.100.7/32"), m.Target);
        Assert.Equal(NetAddress.Parse("192.0.2.1"), m.NextHop);
        Assert.Equal([BgpCommunity.Blackhole, BgpCommunity.NoExport], m.Communities);
        Assert.Equal(time.Now, m.AnnouncedAt);
        var listed = Assert.Single(await dry.ListActiveAsync());
        Assert.Equal("DNS amplification", listed.Reason);
        Assert.Equal(
            "gobgp -u 127.0.0.1 -p 50051 global rib -a ipv4 add 198.51.100.7/32 nexthop 192.0.2.1 community 65535:666,65535:65281",
            Assert.Single(dry.Commands));
    }

    [Fact]
    public async Task AnnounceFlowspec_SameMatchTwice_OneActiveWithLatestAction()
    {
        var dry = new DryRunMitigator(s_options);
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Udp, SourcePorts = [53] };

        await dry.AnnounceFlowspecAsync(rule, "first");
        await dry.AnnounceFlowspecAsync(rule with { Action = FlowspecAction.RateLimit(1000) }, "second");

        var listed = Assert.Single(await dry.ListActiveAsync());
        Assert.Equal(1000f, listed.Rule!.Action.BytesPerSecond);
        Assert.Equal("second", listed.Reason);
        Assert.Equal(2, dry.Commands.Count);
        Assert.EndsWith("source-port ==53 then rate-limit 1000", dry.Commands[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithdrawAsync_Active_RemovedAndDeleteCommandLogged()
    {
        var dry = new DryRunMitigator(s_options);
        var rule = new FlowspecRule(NetPrefix.Parse("2001:db8::/64")) { Fragment = FragmentFlags.IsFragment };
        var fs = await dry.AnnounceFlowspecAsync(rule, "fragments");
        var bh = await dry.AnnounceBlackholeAsync(NetAddress.Parse("2001:db8::7"), "v6");

        Assert.True(await dry.WithdrawAsync(fs.Id));
        Assert.True(await dry.WithdrawAsync(bh.Id));
        Assert.False(await dry.WithdrawAsync(bh.Id));

        Assert.Empty(await dry.ListActiveAsync());
        Assert.Equal("gobgp -u 127.0.0.1 -p 50051 global rib -a ipv6-flowspec del match destination 2001:db8::/64 fragment is-fragment", dry.Commands[2]);
        Assert.Equal("gobgp -u 127.0.0.1 -p 50051 global rib -a ipv6 del 2001:db8::7/128", dry.Commands[3]);
    }

    [Fact]
    public async Task AnnounceFlowspec_InvalidRule_ThrowsAndRecordsNothing()
    {
        var dry = new DryRunMitigator(s_options);
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { TcpFlags = TcpFlags.Syn };

        await Assert.ThrowsAsync<MitigationException>(() => dry.AnnounceFlowspecAsync(rule, "bad"));

        Assert.Empty(await dry.ListActiveAsync());
        Assert.Empty(dry.Commands);
    }
}
