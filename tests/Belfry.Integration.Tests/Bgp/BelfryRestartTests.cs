using Belfry.Core.Net;
using Belfry.Integration.Tests.Servers;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;
using Belfry.Storage.Sqlite;

namespace Belfry.Integration.Tests.Bgp;

/// <summary>
/// Belfry killed during an attack and started again, on the real parts a deployment has: the
/// deployment's SQLite database (opened anew, as a new process would) and the real gobgpd, which
/// keeps its RIB across Belfry's restart. The new process takes over the routes it owns and
/// withdraws them after their hold time; a route an operator announced by hand stays.
/// </summary>
[Collection(GoBgpCollection.Name)]
public sealed class BelfryRestartTests(GoBgpFixture bgp) : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("belfry-restart-").FullName;

    static MitigationPolicy Policy => new()
    {
        HoldTime = TimeSpan.FromMinutes(10),
        BlackholeHostGroups = new HashSet<string> { "hosting" },
    };

    [Fact]
    public async Task BelfryRestartedDuringAttack_NewProcessOverTheSameDatabase_RoutesWithdrawnAfterTheirHoldTime()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = Path.Combine(_folder, "belfry.db");
        var target = NetAddress.Parse("198.51.100.77");
        var prefix = NetPrefix.Parse("198.51.100.77/32");
        var t0 = DateTime.UtcNow;
        using var mitigator = new GoBgpMitigator(bgp.BelfryOptions with { CommandTimeout = TimeSpan.FromSeconds(20) });

        // The first process: an attack starts, its routes are announced, then the process dies
        // (nothing withdrawn, nothing ended: the manager and store are dropped mid-attack).
        await using (var store = new SqliteStore(database))
        {
            await store.InitializeAsync(ct);
            var first = new MitigationManager(mitigator, Policy, store: store);
            var outcomes = await first.OnAttackStartedAsync("attack-77", target, ["dns"], "hosting", ct);
            Assert.Equal(2, outcomes.Count(o => o.Status == MitigationStatus.Announced));
        }
        await bgp.WaitForRouterRibAsync("ipv4", r => r.Any(x => x.Prefix == prefix && x.IsBlackhole));
        var manual = new FlowspecRule(NetPrefix.Parse("192.0.2.77/32")) { Protocol = IpProtocol.Udp };
        await mitigator.AnnounceFlowspecAsync(manual, "an operator, with gobgp directly", ct);

        // The second process, a minute later, over the same database file.
        var restart = t0.AddMinutes(1);
        await using var reopened = new SqliteStore(database);
        await reopened.InitializeAsync(ct);
        Assert.Equal(2, (await reopened.ListRoutesAsync(ct)).Count);
        using var second = new MitigationManager(mitigator, Policy, store: reopened);
        Assert.DoesNotContain(await second.ReconcileAsync(restart, ct), o => o.Status == MitigationStatus.Failed);
        Assert.Equal(["attack-77"], second.Attacks.Select(a => a.AttackId));

        // Nothing will end the attack now: its routes go at restart + hold time, not before.
        Assert.Empty(await second.TickAsync(restart.AddMinutes(10).AddSeconds(-1), ct));
        Assert.Contains(await mitigator.ListActiveAsync(ct), m => m.Id == MitigationId.ForBlackhole(prefix));
        var withdrawn = await second.TickAsync(restart.AddMinutes(10), ct);
        Assert.Equal(2, withdrawn.Count(o => o.Status == MitigationStatus.Withdrawn));

        var active = await mitigator.ListActiveAsync(ct);
        Assert.DoesNotContain(active, m => m.Target == prefix);
        Assert.Contains(active, m => m.Id == manual.Id);
        Assert.Empty(await reopened.ListRoutesAsync(ct));
        await bgp.WaitForRouterRibAsync("ipv4", r => !r.Any(x => x.Prefix == prefix), TimeSpan.FromSeconds(60));
        await mitigator.WithdrawAsync(manual.Id, ct);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
