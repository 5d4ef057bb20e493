using Belfry.Core.Net;

namespace Belfry.Mitigation.Tests;

/// <summary>Router failures become backed-off retries; route ownership survives a restart of Belfry through the store.</summary>
public sealed class MitigationRetryAndStoreTests
{
    static readonly DateTime s_t0 = new(2026, 5, 4, 11, 0, 0, DateTimeKind.Utc);
    static readonly NetAddress s_host = NetAddress.Parse("198.51.100.7");
    static readonly MitigationId s_hostBlackhole = MitigationId.ForBlackhole(NetPrefix.Parse("198.51.100.7/32"));

    static MitigationPolicy Policy => new()
    {
        HoldTime = TimeSpan.FromMinutes(5),
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(8),
        RibCheckInterval = TimeSpan.FromHours(1),
        BlackholeHostGroups = new HashSet<string> { MitigationPolicy.AllHostGroups },
    };

    [Fact]
    public void RetryDelay_DoublesFromInitialUpToTheCap()
    {
        Assert.Equal([1, 2, 4, 8, 8, 8], Enumerable.Range(1, 6).Select(n => Policy.RetryDelay(n).TotalSeconds));
    }

    [Fact]
    public async Task OnAttackStarted_RouterThrowsAnyException_FailedOutcomesAndRetriedWithExponentialCappedBackoff()
    {
        var time = new ManualTime(s_t0);
        var router = new SwitchableMitigator(new DryRunMitigator(new BgpOptions())) { Down = true };
        using var manager = new MitigationManager(router, Policy, time: time);

        var outcomes = await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);

        // The listing failed: both routes are deferred, nothing thrown, one router call only.
        Assert.Equal(2, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(MitigationStatus.Failed, o.Status));
        Assert.Equal(1, router.Attempts);
        Assert.All(manager.PendingRetries, p => Assert.Equal(s_t0.AddSeconds(1), p.NextAttempt));

        // Each tick at the due time makes one attempt (the rest of the tick is deferred), and the wait doubles to the cap.
        var attemptTimes = new List<double>();
        for (var s = 0.0; s <= 40; s += 0.5)
        {
            var before = router.Attempts;
            var tick = await manager.TickAsync(s_t0.AddSeconds(s));
            Assert.All(tick, o => Assert.Equal(MitigationStatus.Failed, o.Status));
            if (router.Attempts > before)
            {
                Assert.Equal(before + 1, router.Attempts);
                attemptTimes.Add(s);
            }
        }
        Assert.Equal([1, 3, 7, 15, 23, 31, 39], attemptTimes);
        Assert.Equal(8, manager.RouterFailures);

        router.Down = false;
        var back = await manager.TickAsync(s_t0.AddSeconds(47));
        Assert.Equal(2, back.Count(o => o.Status == MitigationStatus.Announced));
        Assert.Equal(2, (await router.ListActiveAsync()).Count);
        Assert.Empty(manager.PendingRetries);
        Assert.Equal(0, manager.RouterFailures);
        Assert.Empty(await manager.TickAsync(s_t0.AddSeconds(60)));
    }

    [Fact]
    public async Task TickAsync_WithdrawalFailsWhileRouterDown_RetriedWithBackoffUntilItGoes()
    {
        var time = new ManualTime(s_t0);
        var router = new SwitchableMitigator(new DryRunMitigator(new BgpOptions()));
        var store = new InMemoryMitigationStore();
        using var manager = new MitigationManager(router, Policy with { HoldTime = TimeSpan.Zero }, store: store, time: time);
        await manager.OnAttackStartedAsync("a1", s_host, ["ntp"], "any");
        Assert.Equal(2, (await store.ListRoutesAsync()).Count);
        manager.OnAttackEnded("a1", s_t0);
        router.Down = true;

        Assert.Equal(MitigationStatus.Failed, (await manager.TickAsync(s_t0))[0].Status);
        Assert.Empty(await manager.TickAsync(s_t0.AddSeconds(0.9)) is var none && none.Count == 0 ? none : throw new InvalidOperationException());
        Assert.All(await manager.TickAsync(s_t0.AddSeconds(1)), o => Assert.Equal(MitigationStatus.Failed, o.Status));
        // Still owned while it could not be withdrawn, with its WithdrawAfter.
        Assert.All(await store.ListRoutesAsync(), r => Assert.Equal(s_t0, r.WithdrawAfter));

        router.Down = false;
        Assert.Empty(await manager.TickAsync(s_t0.AddSeconds(2)));
        var withdrawn = await manager.TickAsync(s_t0.AddSeconds(3));
        Assert.Equal(2, withdrawn.Count(o => o.Status == MitigationStatus.Withdrawn));
        Assert.Empty(await router.ListActiveAsync());
        Assert.Empty(await store.ListRoutesAsync());
    }

    [Fact]
    public async Task ReconcileAsync_BelfryRestartedDuringAttacks_RoutesStillOwnedAndWithdrawnAfterTheirHoldTime()
    {
        var router = new DryRunMitigator(new BgpOptions());   // gobgpd keeps running across Belfry's restart
        var store = new InMemoryMitigationStore();
        var other = NetAddress.Parse("198.51.100.8");
        using (var first = new MitigationManager(router, Policy, store: store, time: new ManualTime(s_t0)))
        {
            await first.OnAttackStartedAsync("active", s_host, ["dns"], "any");
            await first.OnAttackStartedAsync("ended", other, ["syn"]);
            first.OnAttackEnded("ended", s_t0);
            await first.TickAsync(s_t0.AddSeconds(1));
        }
        Assert.Equal(4, (await router.ListActiveAsync()).Count);
        var manual = new FlowspecRule(NetPrefix.Parse("192.0.2.0/24")) { Protocol = IpProtocol.Udp };
        await router.AnnounceFlowspecAsync(manual, "an operator, with gobgp directly");

        // Belfry comes back a minute later: a new manager over the same store.
        var restart = s_t0.AddMinutes(1);
        using var second = new MitigationManager(router, Policy, store: store, time: new ManualTime(restart));
        Assert.Empty(await second.ReconcileAsync(restart));
        Assert.Equal(["active", "ended"], second.Attacks.Select(a => a.AttackId));

        // "ended": end + hold time; "active" was cut off by the restart, so restart + hold time.
        Assert.Empty(await second.TickAsync(s_t0.AddMinutes(5).AddTicks(-1)));
        var firstWave = await second.TickAsync(s_t0.AddMinutes(5));
        Assert.Equal(
            ["blackhole 198.51.100.8/32", "flowspec ipv4 destination 198.51.100.8/32 protocol tcp tcp-flags S"],
            firstWave.Where(o => o.Status == MitigationStatus.Withdrawn).Select(o => o.Id!.Value.Value).Order(StringComparer.Ordinal));
        Assert.Equal(2, firstWave.Count);
        Assert.Empty(await second.TickAsync(restart.AddMinutes(5).AddTicks(-1)));
        var secondWave = await second.TickAsync(restart.AddMinutes(5));
        Assert.Equal(2, secondWave.Count(o => o.Status == MitigationStatus.Withdrawn));
        Assert.Contains(secondWave, o => o.Id == s_hostBlackhole);

        Assert.Equal(manual.Id, Assert.Single(await router.ListActiveAsync()).Id);
        Assert.Empty(await store.ListRoutesAsync());
        Assert.Empty(second.Attacks);
    }

    [Fact]
    public async Task ReconcileAsync_HeldRouteMissingFromRib_AnnouncedAgain()
    {
        var store = new InMemoryMitigationStore();
        using (var first = new MitigationManager(new DryRunMitigator(new BgpOptions()), Policy, store: store, time: new ManualTime(s_t0)))
        {
            await first.OnAttackStartedAsync("a1", s_host, ["dns", "syn"], "any");
        }
        // Both restarted: a fresh, empty RIB.
        var router = new DryRunMitigator(new BgpOptions());
        using var second = new MitigationManager(router, Policy, store: store, time: new ManualTime(s_t0));

        var outcomes = await second.ReconcileAsync(s_t0.AddSeconds(10));

        Assert.Equal(3, outcomes.Count(o => o.Status == MitigationStatus.Announced));
        var active = await router.ListActiveAsync();
        Assert.Equal(3, active.Count);
        Assert.Contains(active, m => m.Rule is { } r && r.Protocol == IpProtocol.Tcp && r.TcpFlags == TcpFlags.Syn);
        Assert.Contains(active, m => m.Id == s_hostBlackhole);
        // An update of the same attack does not announce again.
        Assert.All(await second.OnAttackStartedAsync("a1", s_host, ["dns", "syn"], "any"), o => Assert.Equal(MitigationStatus.Announced, o.Status));
        Assert.Equal(3, (await router.ListActiveAsync()).Count);
    }

    [Fact]
    public async Task TickAsync_RouterLostItsRoutes_ReannouncedByTheRibCheck()
    {
        var inner = new DryRunMitigator(new BgpOptions());
        using var manager = new MitigationManager(inner, Policy with { RibCheckInterval = TimeSpan.FromSeconds(30), BlackholeHostGroups = new HashSet<string>() }, time: new ManualTime(s_t0));
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);
        var id = Assert.Single(await inner.ListActiveAsync()).Id;
        await manager.TickAsync(s_t0);
        Assert.True(await inner.WithdrawAsync(id));   // gobgpd restarted with an empty RIB

        Assert.Empty(await manager.TickAsync(s_t0.AddSeconds(29)));
        var outcome = Assert.Single(await manager.TickAsync(s_t0.AddSeconds(30)));
        Assert.Equal(MitigationStatus.Announced, outcome.Status);
        Assert.Equal(id, Assert.Single(await inner.ListActiveAsync()).Id);
    }

    [Theory]
    [InlineData("destination 198.51.100.0/24 protocol udp source-port ==53 then discard")]
    [InlineData("destination 2001:db8::/64 protocol tcp tcp-flags S then rate-limit 125000")]
    [InlineData("destination 198.51.100.7/32 source 192.0.2.0/24 protocol udp destination-port ==80 ==443 source-port ==123 then discard")]
    [InlineData("destination 198.51.100.7/32 fragment is-fragment+last-fragment then discard")]
    public void FlowspecDefinition_RoundTrips(string definition)
    {
        Assert.True(FlowspecRule.TryParseDefinition(definition, out var rule));
        Assert.Equal(definition, rule.ToDefinition());
    }

    [Theory]
    [InlineData("")]
    [InlineData("destination 198.51.100.0/24 then")]
    [InlineData("destination 198.51.100.0/24 protocol udp source-port 53 then discard")]
    [InlineData("destination 198.51.100.0/24 then redirect 1:1")]
    [InlineData("source 192.0.2.0/24 then discard")]
    public void FlowspecDefinition_Invalid_Refused(string definition) =>
        Assert.False(FlowspecRule.TryParseDefinition(definition, out _));
}
