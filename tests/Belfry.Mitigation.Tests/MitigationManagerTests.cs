using Belfry.Core.Net;

namespace Belfry.Mitigation.Tests;

public sealed class MitigationManagerTests
{
    static readonly DateTime s_t0 = new(2021, 5, 4, 11, 0, 0, DateTimeKind.Utc);
    static readonly NetAddress s_host = NetAddress.Parse("198.51.100.7");
    static readonly MitigationId s_hostBlackhole = MitigationId.ForBlackhole(NetPrefix.Parse("198.51.100.7/32"));

    static (MitigationManager Manager, DryRunMitigator Router) Create(MitigationPolicy? policy = null)
    {
        var router = new DryRunMitigator(new BgpOptions());
        return (new MitigationManager(router, policy ?? new MitigationPolicy { HoldTime = TimeSpan.FromMinutes(5) }), router);
    }

    static MitigationPolicy BlackholeAll(int max = 32) => new()
    {
        HoldTime = TimeSpan.FromMinutes(5),
        MaxBlackholes = max,
        BlackholeHostGroups = new HashSet<string> { MitigationPolicy.AllHostGroups },
        NeverBlackhole = [NetPrefix.Parse("203.0.113.0/24")],
    };

    [Fact]
    public async Task OnAttackStarted_DnsAndSyn_OneFlowspecRulePerVectorAndNoBlackhole()
    {
        var (manager, router) = Create();

        var outcomes = await manager.OnAttackStartedAsync("a1", s_host, ["dns_amplification", "syn_flood"]);

        Assert.All(outcomes, o => Assert.Equal(MitigationStatus.Announced, o.Status));
        var active = await router.ListActiveAsync();
        Assert.Equal(2, active.Count);
        Assert.All(active, m => Assert.Equal(MitigationKind.Flowspec, m.Kind));
        Assert.Contains(active, m => m.Rule!.SourcePorts.SequenceEqual([(ushort)53]) && m.Rule.Protocol == IpProtocol.Udp);
        Assert.Contains(active, m => m.Rule!.TcpFlags == TcpFlags.Syn);
        Assert.All(active, m => Assert.Contains("a1", m.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnAttackStarted_HostGroupConfiguredForBlackhole_AlsoBlackholes()
    {
        var (manager, router) = Create(new MitigationPolicy { BlackholeHostGroups = new HashSet<string> { "hosting" } });

        await manager.OnAttackStartedAsync("a1", s_host, ["ntp"], "hosting");
        await manager.OnAttackStartedAsync("a2", NetAddress.Parse("198.51.100.8"), ["ntp"], "government");

        var active = await router.ListActiveAsync();
        Assert.Equal(s_hostBlackhole, Assert.Single(active, m => m.Kind == MitigationKind.Blackhole).Id);
        Assert.Equal(2, active.Count(m => m.Kind == MitigationKind.Flowspec));
    }

    [Fact]
    public async Task OnAttackStarted_WhitelistedHost_BlackholeRefusedFlowspecStillAnnounced()
    {
        var (manager, router) = Create(BlackholeAll());

        var outcomes = await manager.OnAttackStartedAsync("a1", NetAddress.Parse("203.0.113.53"), ["dns"]);

        var refused = Assert.Single(outcomes, o => o.Status == MitigationStatus.Refused);
        Assert.Contains("whitelisted", refused.Message, StringComparison.Ordinal);
        Assert.Equal(MitigationKind.Flowspec, Assert.Single(await router.ListActiveAsync()).Kind);
    }

    [Fact]
    public async Task OnAttackStarted_CarpetBombingOfPrefix_FlowspecOnPrefixNoBlackhole()
    {
        var (manager, router) = Create(BlackholeAll());
        var prefix = NetPrefix.Parse("198.51.100.0/24");

        var outcomes = await manager.OnAttackStartedAsync("carpet", prefix, ["dns", "carpet_bombing"]);

        Assert.Contains(outcomes, o => o.Status == MitigationStatus.Skipped && o.Message.Contains("carpet_bombing", StringComparison.Ordinal));
        Assert.Contains(outcomes, o => o.Status == MitigationStatus.Refused && o.Message.Contains("host route", StringComparison.Ordinal));
        Assert.Equal(prefix, Assert.Single(await router.ListActiveAsync()).Rule!.Destination);
    }

    [Fact]
    public async Task OnAttackStarted_MaxBlackholesReached_NextBlackholeRefused()
    {
        var (manager, router) = Create(BlackholeAll(max: 2));

        await manager.OnAttackStartedAsync("a1", NetAddress.Parse("198.51.100.1"), ["udp"]);
        await manager.OnAttackStartedAsync("a2", NetAddress.Parse("198.51.100.2"), ["udp"]);
        var third = await manager.OnAttackStartedAsync("a3", NetAddress.Parse("198.51.100.3"), ["udp"]);
        var manual = await manager.AnnounceBlackholeAsync(NetAddress.Parse("198.51.100.4"), "operator");

        Assert.Contains(third, o => o.Status == MitigationStatus.Refused && o.Message.Contains("maximum is 2", StringComparison.Ordinal));
        Assert.Equal(MitigationStatus.Refused, manual.Status);
        Assert.Equal(2, (await router.ListActiveAsync()).Count(m => m.Kind == MitigationKind.Blackhole));
    }

    [Fact]
    public async Task OnAttackStarted_MaxFlowspecRulesReached_RestRefused()
    {
        var (manager, router) = Create(new MitigationPolicy { MaxFlowspecRules = 2 });

        var outcomes = await manager.OnAttackStartedAsync("a1", s_host, ["dns", "ntp", "ssdp"]);

        Assert.Equal(2, outcomes.Count(o => o.Status == MitigationStatus.Announced));
        Assert.Single(outcomes, o => o.Status == MitigationStatus.Refused);
        Assert.Equal(2, (await router.ListActiveAsync()).Count);
    }

    [Fact]
    public async Task TickAsync_BeforeAndAtHoldTime_WithdrawsOnlyOnceExpired()
    {
        var (manager, router) = Create(BlackholeAll());
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);
        Assert.True(manager.OnAttackEnded("a1", s_t0));

        Assert.Empty(await manager.TickAsync(s_t0 + TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1)));
        Assert.Equal(2, (await router.ListActiveAsync()).Count);

        var withdrawn = await manager.TickAsync(s_t0 + TimeSpan.FromMinutes(5));
        Assert.Equal(2, withdrawn.Count(o => o.Status == MitigationStatus.Withdrawn));
        Assert.Contains(withdrawn, o => o.Id == s_hostBlackhole);
        Assert.Empty(await router.ListActiveAsync());
        Assert.Empty(manager.Attacks);
    }

    [Fact]
    public async Task TickAsync_RuleSharedByTwoAttacks_KeptUntilTheLastExpires()
    {
        var (manager, router) = Create();
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);
        await manager.OnAttackStartedAsync("a2", s_host, ["dns", "ntp"]);
        manager.OnAttackEnded("a1", s_t0);

        var first = await manager.TickAsync(s_t0 + TimeSpan.FromHours(1));

        Assert.Empty(first);
        Assert.Equal(2, (await router.ListActiveAsync()).Count);
        manager.OnAttackEnded("a2", s_t0 + TimeSpan.FromHours(1));
        Assert.Equal(2, (await manager.TickAsync(s_t0 + TimeSpan.FromHours(2))).Count);
        Assert.Empty(await router.ListActiveAsync());
    }

    [Fact]
    public async Task OnAttackStarted_SameAttackAgainAfterEnd_WithdrawalCancelledAndNewVectorAdded()
    {
        var (manager, router) = Create();
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);
        manager.OnAttackEnded("a1", s_t0);

        // The attackers change tactics before the hold time is over (Belnet, May 2021).
        var update = await manager.OnAttackStartedAsync("a1", s_host, ["dns", "memcached"]);

        Assert.Single(update);
        Assert.Empty(await manager.TickAsync(s_t0 + TimeSpan.FromDays(1)));
        Assert.Equal(2, (await router.ListActiveAsync()).Count);
        Assert.Null(Assert.Single(manager.Attacks).EndedAt);
    }

    [Fact]
    public async Task TickAsync_ManualAnnouncementOfSameRule_KeptAfterAttackExpires()
    {
        var (manager, router) = Create();
        await manager.OnAttackStartedAsync("a1", s_host, ["ntp"]);
        Assert.True(FlowspecVectors.TryGetRule("ntp", NetPrefix.Parse("198.51.100.7/32"), FlowspecAction.Discard, out var rule));
        Assert.Equal(MitigationStatus.Announced, (await manager.AnnounceFlowspecAsync(rule, "operator keeps it")).Status);
        manager.OnAttackEnded("a1", s_t0);

        Assert.Empty(await manager.TickAsync(s_t0 + TimeSpan.FromHours(1)));
        Assert.Single(await router.ListActiveAsync());

        Assert.Equal(MitigationStatus.Withdrawn, (await manager.WithdrawAsync(rule.Id)).Status);
        Assert.Equal(MitigationStatus.NotActive, (await manager.WithdrawAsync(rule.Id)).Status);
    }

    [Fact]
    public async Task AnnounceBlackholeAsync_ManualOutsideHostGroups_AnnouncedButWhitelistHolds()
    {
        var (manager, router) = Create(new MitigationPolicy { NeverBlackhole = [NetPrefix.Parse("203.0.113.0/24")] });

        Assert.Equal(MitigationStatus.Announced, (await manager.AnnounceBlackholeAsync(s_host, "operator")).Status);
        Assert.Equal(MitigationStatus.Refused, (await manager.AnnounceBlackholeAsync(NetAddress.Parse("203.0.113.1"), "operator")).Status);

        Assert.Equal(s_hostBlackhole, Assert.Single(await router.ListActiveAsync()).Id);
    }

    [Fact]
    public async Task TickAsync_WithdrawalFails_RetriedOnNextTick()
    {
        var flaky = new FlakyMitigator(new DryRunMitigator(new BgpOptions())) { FailWithdrawals = 1 };
        using var manager = new MitigationManager(flaky, new MitigationPolicy { HoldTime = TimeSpan.Zero });
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);
        manager.OnAttackEnded("a1", s_t0);

        Assert.Equal(MitigationStatus.Failed, Assert.Single(await manager.TickAsync(s_t0)).Status);
        Assert.Single(await flaky.ListActiveAsync());
        Assert.Equal(MitigationStatus.Withdrawn, Assert.Single(await manager.TickAsync(s_t0 + TimeSpan.FromSeconds(1))).Status);
        Assert.Empty(await manager.TickAsync(s_t0 + TimeSpan.FromSeconds(2)));
        Assert.Empty(await flaky.ListActiveAsync());
    }

    [Fact]
    public async Task OnAttackStarted_RouterFails_FailedOutcomeNotThrown()
    {
        var flaky = new FlakyMitigator(new DryRunMitigator(new BgpOptions())) { FailAnnouncements = 1 };
        using var manager = new MitigationManager(flaky, new MitigationPolicy());

        var outcomes = await manager.OnAttackStartedAsync("a1", s_host, ["dns", "ntp"]);

        // After one failure the rest of the operation is deferred: a hung gobgpd costs one timeout, not one per route.
        Assert.Equal([MitigationStatus.Failed, MitigationStatus.Failed], outcomes.Select(o => o.Status));
        Assert.Contains("router down", outcomes[0].Message, StringComparison.Ordinal);
        Assert.Contains("deferred", outcomes[1].Message, StringComparison.Ordinal);

        // The next update of the attack retries the vectors that failed.
        var retry = await manager.OnAttackStartedAsync("a1", s_host, ["dns", "ntp"]);
        Assert.Equal([MitigationStatus.Announced, MitigationStatus.Announced], retry.Select(o => o.Status));
        Assert.Empty(manager.PendingRetries);
        Assert.Equal(2, (await flaky.ListActiveAsync()).Count);
    }

    [Fact]
    public async Task WithdrawAsync_OperatorTakesDownAttackBlackhole_NotReannouncedOnUpdate()
    {
        var (manager, router) = Create(BlackholeAll());
        await manager.OnAttackStartedAsync("a1", s_host, ["dns"]);

        Assert.Equal(MitigationStatus.Withdrawn, (await manager.WithdrawAsync(s_hostBlackhole)).Status);
        await manager.OnAttackStartedAsync("a1", s_host, ["dns", "ntp"]);

        Assert.DoesNotContain(await router.ListActiveAsync(), m => m.Kind == MitigationKind.Blackhole);
    }

    [Fact]
    public void OnAttackEnded_UnknownAttack_False()
    {
        var (manager, _) = Create();
        Assert.False(manager.OnAttackEnded("nope", s_t0));
    }
}
