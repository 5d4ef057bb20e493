using System.Diagnostics;
using Belfry.Core.Net;
using Belfry.Integration.Tests.Servers;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Integration.Tests.Bgp;

/// <summary>
/// Faults of the BGP speaker during an attack: the real "belfry" gobgpd killed and started again
/// (its RIB comes back empty), and a gobgp that hangs (a script in its place that sleeps, since a
/// real gobgpd cannot be made to hang on cue). The manager never throws, and the attack's routes are
/// in the RIB again afterwards without a new attack event.
/// </summary>
[Collection(GoBgpCollection.Name)]
public sealed class GoBgpFaultTests(GoBgpFixture bgp)
{
    static MitigationPolicy Policy => new()
    {
        HoldTime = TimeSpan.FromMinutes(10),
        BlackholeHostGroups = new HashSet<string> { "hosting" },
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(4),
        RibCheckInterval = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task GoBgpdRestartedDuringAttack_CallsFailWhileDown_RoutesBackInRibWithoutNewAttackEvent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions with { CommandTimeout = TimeSpan.FromSeconds(20) });
        var store = new InMemoryMitigationStore();
        using var manager = new MitigationManager(mitigator, Policy, store: store);
        var target = NetAddress.Parse("198.51.100.91");
        var prefix = NetPrefix.Parse("198.51.100.91/32");

        // The manager's clock is the system's (as in the host): ticks are given relative to it.
        var t0 = DateTime.UtcNow;
        var outcomes = await manager.OnAttackStartedAsync("attack-91", target, ["dns"], "hosting", ct);
        Assert.Equal(2, outcomes.Count(o => o.Status == MitigationStatus.Announced));
        await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Prefix == prefix && x.IsBlackhole));

        await bgp.StopBelfryDaemonAsync();
        try
        {
            // While it is down: every call fails, nothing throws, a second attack is queued for retry.
            var other = await manager.OnAttackStartedAsync("attack-92", NetAddress.Parse("198.51.100.92"), ["ntp"], null, ct);
            Assert.All(other, o => Assert.Equal(MitigationStatus.Failed, o.Status));
            var whileDown = await manager.TickAsync(t0.AddSeconds(30), ct);
            Assert.Contains(whileDown, o => o.Status == MitigationStatus.Failed);
            Assert.True(manager.RouterFailures > 0);
            Assert.Equal(2, (await store.ListRoutesAsync(ct)).Count);
        }
        finally
        {
            await bgp.StartBelfryDaemonAsync();
        }
        Assert.DoesNotContain(await mitigator.ListActiveAsync(ct), m => m.Target == prefix);

        // The next ticks find the daemon back and re-announce; no new attack event is needed.
        var reannounced = new List<MitigationOutcome>();
        for (var s = 31; s < 120 && reannounced.Count(o => o.Status == MitigationStatus.Announced) < 3; s++)
        {
            reannounced.AddRange(await manager.TickAsync(t0.AddSeconds(s), ct));
        }
        Assert.Equal(3, reannounced.Count(o => o.Status == MitigationStatus.Announced));
        var active = await mitigator.ListActiveAsync(ct);
        Assert.Contains(active, m => m.Id == MitigationId.ForBlackhole(prefix));
        Assert.Equal(3, active.Count(m => m.Target == prefix || m.Target == NetPrefix.Parse("198.51.100.92/32")));
        await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Prefix == prefix && x.IsBlackhole), TimeSpan.FromSeconds(60));
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.Any(x => x.Prefix == prefix) && r.Any(x => x.Prefix == NetPrefix.Parse("198.51.100.92/32")), TimeSpan.FromSeconds(60));

        foreach (var id in active.Select(m => m.Id).Where(id => id.Value.Contains("198.51.100.9", StringComparison.Ordinal)))
        {
            Assert.Equal(MitigationStatus.Withdrawn, (await manager.WithdrawAsync(id, ct)).Status);
        }
    }

    [Fact]
    public async Task GoBgpHangs_CommandTimeoutExceeded_FailedOnceThenAnnouncedWhenItAnswers()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(bgp.Directory, "slow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var hang = Path.Combine(folder, "hang");
        var script = Path.Combine(folder, "gobgp");
        // Hangs while the flag file exists, otherwise is the real gobgp.
        await File.WriteAllTextAsync(script, $"#!/bin/sh\nif [ -e '{hang}' ]; then sleep 60; fi\nexec '{GoBgpFixture.GoBgp}' \"$@\"\n", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await File.WriteAllTextAsync(hang, "", ct);
        var timeout = TimeSpan.FromSeconds(2);
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions with { GoBgpPath = script, CommandTimeout = timeout });
        using var manager = new MitigationManager(mitigator, Policy);
        var prefix = NetPrefix.Parse("198.51.100.93/32");

        var clock = Stopwatch.StartNew();
        var outcomes = await manager.OnAttackStartedAsync("attack-93", prefix.Network, ["dns", "syn"], "hosting", ct);
        var took = clock.Elapsed;

        Assert.Equal(3, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(MitigationStatus.Failed, o.Status));
        Assert.Contains(outcomes, o => o.Message.Contains("did not finish within 2 s", StringComparison.Ordinal));
        // One timeout for the whole operation, not one per route (three routes: at least 6 s).
        Assert.True(took < timeout * 2.5, $"took {took}");

        File.Delete(hang);
        var retried = new List<MitigationOutcome>();
        for (var s = 1; s < 60 && retried.Count(o => o.Status == MitigationStatus.Announced) < 3; s++)
        {
            retried.AddRange(await manager.TickAsync(DateTime.UtcNow.AddSeconds(s), ct));
        }
        Assert.Equal(3, retried.Count(o => o.Status == MitigationStatus.Announced));
        await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Prefix == prefix && x.IsBlackhole));
        await bgp.WaitForRouterRibAsync("ipv4-flowspec", r => r.Count(x => x.Prefix == prefix) == 2);

        foreach (var id in (await manager.ListActiveAsync(ct)).Where(m => m.Target == prefix).Select(m => m.Id))
        {
            Assert.Equal(MitigationStatus.Withdrawn, (await manager.WithdrawAsync(id, ct)).Status);
        }
    }
}
