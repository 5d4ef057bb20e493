using System.Globalization;
using System.Net;
using Belfry.Cli.Commands;
using Belfry.Cli.Hosting;
using Belfry.Core.Constituency;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;
using Belfry.Mitigation;
using Belfry.Storage;

namespace Belfry.Cli.Demo;

/// <summary>
/// The DDoS part of `belfry demo`, after Belnet's 4 May 2021: two routers of the research network
/// export flow telemetry (one IPFIX, one sFlow, both sampled) over loopback to Belfry's collector;
/// after a few seconds of normal traffic a multi-vector attack starts (DNS amplification at a web
/// server, a SYN flood at a mail server, carpet bombing of a whole /24 with NTP and DNS replies),
/// and the attacks show up classified, with their owner and their mitigation in dry run.
/// </summary>
public static class BelnetScenario
{
    // Rates are sampling-corrected packets/s; the routers export 1 in 100 attack packets and 1 in 10
    // background packets, so the whole run is about 35,000 flow records/s.
    const uint AttackSampling = 100;
    const uint BackgroundSampling = 10;
    static readonly TimeSpan s_normal = TimeSpan.FromSeconds(3);
    static readonly TimeSpan s_attack = TimeSpan.FromSeconds(5);

    static readonly NetPrefix s_webServer = NetPrefix.Parse("198.18.0.80/32");
    static readonly NetPrefix s_mailServer = NetPrefix.Parse("198.18.1.25/32");
    static readonly NetPrefix s_campus = NetPrefix.Parse("198.18.2.0/24");

    /// <summary>The demo's settings, as they would be written in belfry.json's ddos section.</summary>
    public static BelfryConfig.DdosConfig Config { get; } = new()
    {
        Groups =
        [
            new BelfryConfig.GroupConfig
            {
                Name = HostGroup.DefaultName,
                Thresholds = new TrafficThresholds { Pps = 50_000, Mbps = 500, SynPps = 10_000, AmplificationPps = 20_000 },
                HostBaseline = new BelfryConfig.BaselineConfig { Enabled = false },
                PrefixBaseline = new BelfryConfig.BaselineConfig { Enabled = false },
            },
        ],
        HoldDownSeconds = 3,
        UpdateIntervalSeconds = 30,
        HoldTime = TimeSpan.FromSeconds(2),
        BlackholeGroups = [MitigationPolicy.AllHostGroups],
        // The web server must stay reachable: Flowspec drops the amplified replies, no blackhole.
        NeverBlackhole = [s_webServer.ToString()],
    };

    /// <returns>0 when the three attacks were raised, ended and their routes withdrawn.</returns>
    public static async Task<int> RunAsync(BelfryHost host, IReadOnlyList<Organisation> organisations, bool quiet, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(organisations);
        var o = Console.Out;
        var research = organisations[0];
        var names = organisations.ToDictionary(x => x.Id, x => x.Name, StringComparer.Ordinal);
        await o.WriteLineAsync();
        await o.WriteLineAsync($"5. DDoS (Belnet, 4 May 2021): two routers of {research.Name} export IPFIX and sFlow to Belfry over loopback;");
        await o.WriteLineAsync($"   after {s_normal.TotalSeconds:N0} s of normal traffic: DNS amplification at {s_webServer.Network}, a SYN flood at {s_mailServer.Network}, carpet bombing of {s_campus}");

        var detector = DdosHosting.BuildDetectorOptions(Config, organisations, new DdosFlags());
        var bgp = DdosHosting.BuildBgpOptions(null, dryRun: true);
        var dryRun = new DryRunMitigator(bgp);
        using var mitigation = new MitigationManager(dryRun, DdosHosting.BuildPolicy(Config));

        var started = new HashSet<string>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        var withdrawn = 0;
        var announced = 0;
        var gate = new Lock();
        await using var engine = new DdosEngine(detector, new DdosEngineOptions
        {
            Events = host.Store,
            Attacks = host.Store,
            Mitigation = mitigation,
            OrganisationNames = names,
            OnReport = async r =>
            {
                if (r.Event.Kind == AttackEventKind.Updated && quiet)
                {
                    return;
                }
                await o.WriteLineAsync("   " + AttackText.Line(r));
                foreach (var line in AttackText.Mitigation(r.Mitigation, quiet ? [] : r.Commands))
                {
                    await o.WriteLineAsync("   " + line);
                }
                lock (gate)
                {
                    (r.Event.Kind == AttackEventKind.Ended ? ended : started).Add(r.Event.Attack.Id);
                    announced += r.Mitigation.Count(m => m.Status == MitigationStatus.Announced);
                }
            },
            OnWithdrawn = async (outcomes, commands) =>
            {
                foreach (var line in AttackText.Mitigation(outcomes, quiet ? [] : commands))
                {
                    await o.WriteLineAsync("   " + line);
                }
                lock (gate)
                {
                    withdrawn += outcomes.Count(m => m.Status == MitigationStatus.Withdrawn);
                }
            },
            OnError = m => Console.Error.WriteLineAsync($"belfry: {m}"),
        }, dryRun);

        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            SFlowEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        }, engine.CreateConsumer);
        collector.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = engine.RunClockAsync(stop.Token);

        // One background stream per registered IPv4 prefix, leaving out prefixes inside another (the university's /25).
        var all = organisations.SelectMany(x => x.Prefixes).Where(p => p.IsV4).Distinct().ToArray();
        var v4 = all.Where(p => !all.Any(q => q != p && q.Length < p.Length && q.Contains(p.Network))).ToArray();
        var ipfix = collector.EndPointOf(FlowListenerKind.NetFlow);
        var sflow = collector.EndPointOf(FlowListenerKind.SFlow);
        var router1 = new FlowGeneratorOptions
        {
            Target = ipfix,
            Format = FlowExportFormat.Ipfix,
            BackgroundRecordsPerSecond = 15_000,
            BackgroundDestinations = v4,
            BackgroundSamplingRate = BackgroundSampling,
            Seed = 1,
        };
        var router2 = new FlowGeneratorOptions
        {
            Target = sflow,
            Format = FlowExportFormat.SFlow,
            BackgroundRecordsPerSecond = 10_000,
            BackgroundDestinations = v4,
            BackgroundSamplingRate = BackgroundSampling,
            LocalEndPoint = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0),
            SFlowAgent = NetAddress.Parse("192.0.2.2"),
            Seed = 2,
        };
        var clockStart = DateTime.UtcNow;
        var background = Task.WhenAll(
            Generator(router1).RunAsync(stop.Token),
            Generator(router2).RunAsync(stop.Token));
        await o.WriteLineAsync($"   {Elapsed(clockStart)} routers export normal traffic to {v4.Length} prefixes of the constituency (IPFIX 15,000 + sFlow 10,000 records/s, sampled 1:{BackgroundSampling})");
        await Task.Delay(s_normal, ct);

        await o.WriteLineAsync($"   {Elapsed(clockStart)} the attack starts (sampled 1:{AttackSampling}; about 1.2 million packets/s in all)");
        var attack = Task.WhenAll(
            Generator(router1 with
            {
                BackgroundRecordsPerSecond = 0,
                Duration = s_attack,
                Seed = 3,
                Patterns =
                [
                    Pattern("dns-amplification", s_webServer, 17, 53, 0, 300_000, 1400, 5_000),
                    Pattern("carpet-ntp", s_campus, 17, 123, 0, 200_000, 468, 2_000),
                ],
            }).RunAsync(stop.Token),
            Generator(router2 with
            {
                BackgroundRecordsPerSecond = 0,
                Duration = s_attack,
                Seed = 4,
                Patterns =
                [
                    Pattern("syn-flood", s_mailServer, 6, 0, 0x02, 120_000, 60, 20_000),
                    Pattern("carpet-dns", s_campus, 17, 53, 0, 200_000, 1200, 2_000),
                ],
            }).RunAsync(stop.Token));
        await attack;
        await o.WriteLineAsync($"   {Elapsed(clockStart)} the attack stops; attacks end after {detector.HoldDownSeconds} quiet seconds, routes are withdrawn {Config.HoldTime.TotalSeconds:N0} s later");

        // Wait for the ends and withdrawals (a busy machine may be a second late), at most 20 s.
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            await engine.FlushAsync();
            lock (gate)
            {
                if (started.Count >= 3 && ended.IsSupersetOf(started) && withdrawn >= announced)
                {
                    break;
                }
            }
            await Task.Delay(250, ct);
        }
        await stop.CancelAsync();
        await clock;
        await background;
        await collector.StopAsync();
        await engine.FlushAsync();
        var snapshot = collector.Snapshot();
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"   {Elapsed(clockStart)} collector: {snapshot.Records:N0} flow records from {snapshot.Exporters.Count} exporters, {snapshot.Drops:N0} problems"));

        await o.WriteLineAsync();
        await o.WriteLineAsync($"   `belfry attacks list --data {host.DataFolder}`:");
        var list = await host.Store.ListRecentAttacksAsync(20, clockStart.AddMinutes(-1), ct);
        using (var table = new StringWriter(CultureInfo.InvariantCulture))
        {
            await AttacksCommand.WriteTableAsync(table, list, names);
            foreach (var line in table.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
            {
                await o.WriteLineAsync("   " + line);
            }
        }
        var events = await host.Store.CountEventsAsync(new EventQuery { Organisation = research.Id, Feed = AttackEvents.FeedName }, ct);
        await o.WriteLineAsync($"   {events} DDoS event(s) (availability/ddos) stored for {research.Name}: its next `belfry notify` digest includes them");

        int raised, finished;
        lock (gate)
        {
            raised = started.Count;
            finished = ended.Count;
        }
        if (raised < 3 || finished < raised)
        {
            await Console.Error.WriteLineAsync($"belfry: demo: expected 3 attacks raised and ended, got {raised} raised and {finished} ended (is the machine very busy?)");
            return 1;
        }
        return 0;
    }

    static FlowTrafficGenerator Generator(FlowGeneratorOptions options) => new(options);

    static TrafficPattern Pattern(string name, NetPrefix destination, byte protocol, ushort sourcePort, byte flags, double pps, int size, int sources) => new()
    {
        Name = name,
        Destination = destination,
        Protocol = protocol,
        SourcePort = sourcePort,
        TcpFlags = flags,
        PacketsPerSecond = pps,
        PacketSize = size,
        SamplingRate = AttackSampling,
        SourceCount = sources,
    };

    static string Elapsed(DateTime start) => string.Create(CultureInfo.InvariantCulture, $"[+{(DateTime.UtcNow - start).TotalSeconds,4:N1} s]");
}
