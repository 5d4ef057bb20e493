using Belfry.Cli.Hosting;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows.Generation;
using Belfry.Mitigation;
using Belfry.Storage;
using Belfry.Storage.Sqlite;
using static Belfry.Integration.Tests.Ddos.DdosRig;

namespace Belfry.Integration.Tests.Ddos;

/// <summary>
/// The whole DDoS path as `belfry flows listen` wires it (<see cref="DdosHosting"/>, <see cref="DdosEngine"/>):
/// flow records over UDP → detector → attack store, IntelMQ event for the owning organisation in the
/// event store, dry-run mitigation announced, ended after the hold-down, withdrawn after the hold time.
/// </summary>
public sealed class AttackPipelineTests : IAsyncDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("belfry-ddos-e2e-").FullName;
    readonly List<AttackReport> _reports = [];
    readonly List<MitigationOutcome> _withdrawn = [];

    static readonly Organisation s_university = new()
    {
        Id = EnterpriseNumber.FromBody(2_030_000),
        Name = "Example University",
        Prefixes = [Victims],
        Contacts = [new Contact("csirt@university.example")],
    };

    static readonly Organisation s_town = new()
    {
        Id = EnterpriseNumber.FromBody(3_000_000),
        Name = "Example Town",
        Prefixes = [Office],
        Contacts = [new Contact("it@town.example")],
    };

    [Fact]
    public async Task Engine_DnsAmplification_StoredEventForOwnerMitigatedEndedAndWithdrawn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var events = new SqliteStore(Path.Combine(_folder, "belfry.db"));
        await events.InitializeAsync(ct);
        await events.UpsertOrganisationsAsync([s_university, s_town], "test", ct);
        var orgs = await events.GetOrganisationsAsync(ct);
        var attacks = events; // one database for events and attacks

        // As flows listen builds them: registered prefixes as monitored networks, `--threshold-pps`,
        // and a ddos section with a short hold-down and hold time, blackholes for every group.
        var config = new BelfryConfig.DdosConfig
        {
            Groups = [new BelfryConfig.GroupConfig { Name = "default", HostBaseline = new BelfryConfig.BaselineConfig { Enabled = false }, PrefixBaseline = new BelfryConfig.BaselineConfig { Enabled = false } }],
            HoldDownSeconds = 2,
            HoldTime = TimeSpan.FromSeconds(3),
            BlackholeGroups = ["*"],
        };
        var detector = DdosHosting.BuildDetectorOptions(config, orgs, new DdosFlags { ThresholdPps = 20_000 });
        Assert.Equal(s_university.Id, Assert.Single(detector.Networks, n => n.Prefix == Victims).Organisation);
        var bgp = DdosHosting.BuildBgpOptions(null, dryRun: false);
        var dryRun = Assert.IsType<DryRunMitigator>(DdosHosting.CreateMitigator(bgp));
        using var mitigation = new MitigationManager(dryRun, DdosHosting.BuildPolicy(config));

        await using var rig = new DdosRig(detector, new DdosEngineOptions
        {
            Events = events,
            Attacks = attacks,
            Mitigation = mitigation,
            OrganisationNames = orgs.ToDictionary(o => o.Id, o => o.Name),
            OnReport = r =>
            {
                _reports.Add(r);
                return Task.CompletedTask;
            },
            OnWithdrawn = (o, _) =>
            {
                _withdrawn.AddRange(o);
                return Task.CompletedTask;
            },
        }, dryRun);
        var dns = Pattern("203.0.113.10", 17, 60_000, 1200, sourcePort: 53, sampling: 20);

        await rig.SecondAsync(FlowExportFormat.Ipfix, 2_000, dns);
        await rig.Engine.FlushAsync();

        var started = Assert.Single(_reports);
        Assert.Equal(AttackEventKind.Started, started.Event.Kind);
        Assert.Equal("Example University", started.OrganisationName);
        var stored = await ToListAsync(events.QueryEventsAsync(new EventQuery { Organisation = s_university.Id }, ct));
        var e = Assert.Single(stored);
        Assert.Equal(AttackEvents.FeedName, e.FeedName);
        Assert.Equal("ddos", e.GetText(Fields.ClassificationType));
        Assert.Equal("availability", e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal("dns_amplification", e.GetText(Fields.ClassificationIdentifier));
        Assert.Equal("203.0.113.10", e.GetText(Fields.DestinationIp));
        Assert.Empty(await ToListAsync(events.QueryEventsAsync(new EventQuery { Organisation = s_town.Id }, ct)));
        Assert.Contains(started.Mitigation, o => o.Status == MitigationStatus.Announced && o.Id == MitigationId.ForBlackhole(NetPrefix.Parse("203.0.113.10/32")));
        Assert.Contains(started.Commands, c => c.Contains("ipv4-flowspec add match destination 203.0.113.10/32 protocol udp source-port ==53 then discard", StringComparison.Ordinal));
        Assert.Contains(started.Commands, c => c.Contains("global rib -a ipv4 add 203.0.113.10/32 nexthop 192.0.2.1 community 65535:666", StringComparison.Ordinal));
        Assert.Equal(2, (await dryRun.ListActiveAsync(ct)).Count);
        Assert.NotNull((await attacks.GetAttackAsync(started.Event.Attack.Id, ct))?.Organisation);

        // Quiet: ended after the 2 s hold-down; the routes stay for the 3 s hold time.
        await rig.SecondAsync(FlowExportFormat.Ipfix, 2_000);
        await rig.SecondAsync(FlowExportFormat.Ipfix, 2_000);
        await rig.Engine.FlushAsync();
        var ended = Assert.Single(_reports, r => r.Event.Kind == AttackEventKind.Ended).Event.Attack;
        Assert.Equal(T0.AddSeconds(3), ended.End);
        Assert.Equal(T0.AddSeconds(3), (await attacks.GetAttackAsync(ended.Id, ct))!.End);
        Assert.Equal(2, await events.CountEventsAsync(new EventQuery { Organisation = s_university.Id, Feed = AttackEvents.FeedName }, ct));
        rig.Ticks(2);
        await rig.Engine.FlushAsync();
        Assert.Empty(_withdrawn);
        Assert.Equal(2, (await dryRun.ListActiveAsync(ct)).Count);

        rig.Tick();
        await rig.Engine.FlushAsync();

        Assert.Equal(2, _withdrawn.Count(o => o.Status == MitigationStatus.Withdrawn));
        Assert.Empty(await dryRun.ListActiveAsync(ct));
        Assert.Contains(dryRun.Commands, c => c.Contains("ipv4-flowspec del match destination 203.0.113.10/32 protocol udp source-port ==53", StringComparison.Ordinal));
        Assert.Contains(dryRun.Commands, c => c.Contains("global rib -a ipv4 del 203.0.113.10/32", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Engine_AttackOnWhitelistedTarget_FlowspecOnlyNeverBlackholed()
    {
        var config = new BelfryConfig.DdosConfig
        {
            Groups = [new BelfryConfig.GroupConfig { Name = "default", Thresholds = new TrafficThresholds { SynPps = 10_000 } }],
            BlackholeGroups = ["*"],
            Whitelist = ["203.0.113.53/32"],
        };
        var detector = DdosHosting.BuildDetectorOptions(config, [s_university], new DdosFlags());
        var dryRun = new DryRunMitigator(DdosHosting.BuildBgpOptions(null, dryRun: true));
        using var mitigation = new MitigationManager(dryRun, DdosHosting.BuildPolicy(config));
        await using var rig = new DdosRig(detector, new DdosEngineOptions
        {
            Mitigation = mitigation,
            OnReport = r =>
            {
                _reports.Add(r);
                return Task.CompletedTask;
            },
        }, dryRun);

        await rig.SecondAsync(FlowExportFormat.SFlow, 0, Pattern("203.0.113.53", 6, 40_000, 60, flags: 0x02, sampling: 20));
        await rig.Engine.FlushAsync();

        var r = Assert.Single(_reports);
        Assert.Equal(AttackVector.SynFlood, r.Event.Attack.MainVector);
        Assert.Contains(r.Mitigation, o => o.Status == MitigationStatus.Announced && o.Id!.Value.Value.StartsWith("flowspec", StringComparison.Ordinal));
        Assert.Contains(r.Mitigation, o => o.Status == MitigationStatus.Refused && o.Id == MitigationId.ForBlackhole(NetPrefix.Parse("203.0.113.53/32")));
        Assert.DoesNotContain(dryRun.Commands, c => c.Contains("65535:666", StringComparison.Ordinal));
    }

    static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var i in items)
        {
            list.Add(i);
        }
        return list;
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
