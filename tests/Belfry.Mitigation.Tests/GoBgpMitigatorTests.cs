using Belfry.Core.Net;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Mitigation.Tests;

/// <summary>GoBgpMitigator against a stand-in for the gobgp CLI that answers with captured output.</summary>
public sealed class GoBgpMitigatorTests
{
    static readonly BgpOptions s_options = new() { Api = "127.0.0.1:50051", ExtraCommunities = ["64512:666"] };

    [Fact]
    public async Task AnnounceBlackholeAsync_RibShowsRoute_AddThenReadBack()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv4"] = GoBgpCaptures.BelfryIpv4 } };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var m = await mitigator.AnnounceBlackholeAsync(NetAddress.Parse("198.51.100.7"), "dns");

        Assert.Equal(MitigationId.ForBlackhole(NetPrefix.Parse("198.51.100.7/32")), m.Id);
        Assert.Equal(2, runner.Calls.Count);
        Assert.Equal("global rib -a ipv4 add 198.51.100.7/32 nexthop 192.0.2.1 community 65535:666,65535:65281,64512:666", Assert.Single(runner.Changes));
        Assert.Equal(["-j", "global", "rib", "-a", "ipv4"], runner.Calls[1].Skip(4));
    }

    [Fact]
    public async Task AnnounceBlackholeAsync_RibWithoutRoute_Throws()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv4"] = GoBgpCaptures.EmptyRib } };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var e = await Assert.ThrowsAsync<MitigationException>(() => mitigator.AnnounceBlackholeAsync(NetAddress.Parse("198.51.100.7"), "dns"));
        Assert.Contains("RIB does not show it", e.Message, StringComparison.Ordinal);
        Assert.Empty(await mitigator.ListActiveAsync());
    }

    [Fact]
    public async Task AnnounceBlackholeAsync_DaemonUnreachable_ThrowsWithGoBgpError()
    {
        var runner = new FakeGoBgpRunner { OnCommand = _ => new GoBgpRunResult(1, "", GoBgpCaptures.NoDaemonError + "\n") };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var e = await Assert.ThrowsAsync<MitigationException>(() => mitigator.AnnounceBlackholeAsync(NetAddress.Parse("198.51.100.7"), "dns"));
        Assert.Contains("exit code 1: context deadline exceeded", e.Message, StringComparison.Ordinal);
        Assert.Contains("gobgp -u 127.0.0.1 -p 50051 global rib -a ipv4 add", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnnounceFlowspecAsync_RibHasMatchingRuleAndAction_Announced()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv4-flowspec"] = GoBgpCaptures.RouterIpv4Flowspec } };
        using var mitigator = new GoBgpMitigator(s_options, runner);
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Tcp, TcpFlags = TcpFlags.Syn, Action = FlowspecAction.RateLimit(10_000) };

        var m = await mitigator.AnnounceFlowspecAsync(rule, "syn");

        Assert.Equal(rule.Id, m.Id);
        Assert.Equal("global rib -a ipv4-flowspec add match destination 198.51.100.0/24 protocol tcp tcp-flags S then rate-limit 10000", Assert.Single(runner.Changes));
    }

    [Fact]
    public async Task AnnounceFlowspecAsync_RibHasOtherAction_Throws()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv4-flowspec"] = GoBgpCaptures.RouterIpv4Flowspec } };
        using var mitigator = new GoBgpMitigator(s_options, runner);
        var rule = new FlowspecRule(NetPrefix.Parse("198.51.100.0/24")) { Protocol = IpProtocol.Tcp, TcpFlags = TcpFlags.Syn };

        await Assert.ThrowsAsync<MitigationException>(() => mitigator.AnnounceFlowspecAsync(rule, "syn"));
    }

    [Fact]
    public async Task ListActiveAsync_CapturedRibs_BlackholesAndRulesButNotPlainRoutes()
    {
        var runner = new FakeGoBgpRunner
        {
            Ribs =
            {
                ["ipv4"] = GoBgpCaptures.RouterIpv4,
                ["ipv6"] = GoBgpCaptures.RouterIpv6,
                ["ipv4-flowspec"] = GoBgpCaptures.RouterIpv4Flowspec,
                ["ipv6-flowspec"] = GoBgpCaptures.RouterIpv6Flowspec,
            },
        };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var active = await mitigator.ListActiveAsync();

        Assert.Equal(
            ["198.51.100.7/32", "198.51.100.9/32", "2001:db8::7/128"],
            active.Where(m => m.Kind == MitigationKind.Blackhole).Select(m => m.Target.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(10, active.Count(m => m.Kind == MitigationKind.Flowspec));
        Assert.DoesNotContain(active, m => m.Target == NetPrefix.Parse("203.0.113.0/24"));
        Assert.All(active, m => Assert.Null(m.AnnouncedAt));
    }

    [Fact]
    public async Task WithdrawAsync_ForeignFlowspecRoute_ListedButNotWithdrawable()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv4-flowspec"] = GoBgpCaptures.SoloIpv4FlowspecForeign } };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var foreign = Assert.Single(await mitigator.ListActiveAsync(), m => m.Rule is null);

        Assert.StartsWith("flowspec ipv4 [destination: 192.0.2.0/24]", foreign.Id.Value, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MitigationException>(() => mitigator.WithdrawAsync(foreign.Id));
        Assert.Empty(runner.Changes);
    }

    [Fact]
    public async Task WithdrawAsync_NotInRib_FalseWithoutDelete()
    {
        var runner = new FakeGoBgpRunner();
        using var mitigator = new GoBgpMitigator(s_options, runner);

        Assert.False(await mitigator.WithdrawAsync(MitigationId.ForBlackhole(NetPrefix.Parse("198.51.100.7/32"))));
        Assert.Empty(runner.Changes);
    }

    [Fact]
    public async Task WithdrawAsync_RouteGoneAfterDelete_True()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv6"] = GoBgpCaptures.RouterIpv6 } };
        runner.OnCommand = args =>
        {
            if (args.Contains("del"))
            {
                runner.Ribs["ipv6"] = GoBgpCaptures.EmptyRib;
            }
            return null;
        };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        Assert.True(await mitigator.WithdrawAsync(MitigationId.ForBlackhole(NetPrefix.Parse("2001:db8::7/128"))));
        Assert.Equal("global rib -a ipv6 del 2001:db8::7/128", Assert.Single(runner.Changes));
    }

    [Fact]
    public async Task WithdrawAsync_RouteStillThereAfterDelete_Throws()
    {
        var runner = new FakeGoBgpRunner { Ribs = { ["ipv6"] = GoBgpCaptures.RouterIpv6 } };
        using var mitigator = new GoBgpMitigator(s_options, runner);

        var e = await Assert.ThrowsAsync<MitigationException>(() => mitigator.WithdrawAsync(MitigationId.ForBlackhole(NetPrefix.Parse("2001:db8::7/128"))));
        Assert.Contains("still shows it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ArgumentExceptionListingProblems()
    {
        var e = Assert.Throws<ArgumentException>(() => new GoBgpMitigator(new BgpOptions { Api = "nope", ExtraCommunities = ["x"] }, new FakeGoBgpRunner()));
        Assert.Contains("Api 'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Community 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessRunner_ProgramMissing_ThrowsWithAptCommand()
    {
        var runner = new GoBgpProcessRunner("/nonexistent/gobgp", TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<MitigationException>(() => runner.RunAsync(["neighbor"]));
        Assert.Contains("apt-get install -y gobgpd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessRunner_CommandHangs_KilledAfterTimeout()
    {
        var runner = new GoBgpProcessRunner("/bin/sleep", TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<MitigationException>(() => runner.RunAsync(["30"]));
        Assert.Contains("did not finish within 0.3 s", e.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ProcessRunner_RealProgram_ExitCodeAndOutput()
    {
        var result = await new GoBgpProcessRunner("/bin/sh", TimeSpan.FromSeconds(10)).RunAsync(["-c", "printf '{}'; echo oops >&2; exit 3"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("{}", result.StandardOutput);
        Assert.Equal("oops\n", result.StandardError);
    }
}
