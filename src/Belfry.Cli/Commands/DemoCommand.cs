using System.CommandLine;
using Belfry.Cli.Demo;
using Belfry.Cli.Hosting;
using Belfry.Core.Constituency;
using Belfry.Feeds.Generation;
using Belfry.Pipeline;
using MimeKit;

namespace Belfry.Cli.Commands;

/// <summary>
/// `belfry demo`: the whole feed-to-alert job on embedded defaults, with a fictional constituency
/// and a generated day of feeds, ending with what each organisation is told.
/// </summary>
static class DemoCommand
{
    const string Marker = ".belfry-demo";

    // A realistic daily mix: exposed services, amplifiers, compromised and infected systems.
    static readonly (string Type, int Rows)[] s_reports =
    [
        ("scan_http", 3000), ("scan_rdp", 400), ("scan_dns", 600), ("scan_ntp", 300), ("scan_ssl", 800),
        ("scan_smb", 250), ("scan_telnet", 200), ("scan_memcached", 60), ("scan_ssdp", 300), ("scan_elasticsearch", 80),
        ("scan_snmp", 200), ("scan_vnc", 120), ("scan_ftp", 300), ("scan6_http", 200), ("event_sinkhole", 400),
        ("event_sinkhole_http", 300), ("compromised_website", 40), ("blocklist", 150), ("device_id", 500),
    ];

    public static Command Create()
    {
        var day = new Option<string?>("--day") { Description = "Day of the generated feeds (yyyy-MM-dd; default today)" };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary lines" };
        var noDdos = new Option<bool>("--no-ddos") { Description = "Skip the DDoS scenario (flow telemetry over loopback, ~15 s)" };
        var cmd = new Command("demo", "Demo: a fictional constituency, a generated day of security feeds, ingest and the alerts each organisation gets") { day, quiet, noDdos };
        cmd.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(GlobalOptions.Data), parse.GetValue(day), parse.GetValue(quiet), parse.GetValue(noDdos), ct);
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"belfry: {ex.Message}");
                return 1;
            }
        });
        return cmd;
    }

    static async Task<int> RunAsync(string? dataOption, string? dayText, bool quiet, bool noDdos, CancellationToken ct)
    {
        var folder = BelfryHost.ResolveDataFolder(dataOption);
        PrepareFolder(folder);
        await using var host = await BelfryHost.OpenAsync(folder, ct);
        await File.WriteAllTextAsync(Path.Combine(folder, Marker), "created by belfry demo; `belfry demo` may delete this folder\n", ct);
        var o = Console.Out;

        var orgs = DemoConstituency.Create();
        await host.Store.UpsertOrganisationsAsync(orgs, "belfry demo", ct);
        await o.WriteLineAsync($"Belfry demo in {folder}");
        await o.WriteLineAsync($"1. Constituency: {orgs.Count} organisations (NIS2 sectors, 4 languages); `belfry orgs list --data {folder}`");

        var date = dayText is null ? DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime) : DateOnly.Parse(dayText, System.Globalization.CultureInfo.InvariantCulture);
        var feeds = Path.Combine(folder, "feeds", date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var files = await GenerateDayAsync(host, feeds, date);
        await o.WriteLineAsync($"2. Generated {files.Count} feed files for {date:yyyy-MM-dd} in {feeds}");

        var pipeline = new IngestPipeline(host.CreateRegistry(), await host.CreateExpertsAsync(ct), host.Store, host.Clock);
        var summary = await pipeline.RunAsync([feeds], new IngestOptions(), null, ct);
        await o.WriteLineAsync("3. Ingest:");
        await IngestCommand.WriteSummaryAsync(summary, json: false);

        var service = NotifyFactory.Create(host, dryRun: false);
        var sent = await service.RunOnceAsync(host.Clock.GetUtcNow().UtcDateTime, ct);
        await o.WriteLineAsync($"4. Cyber threat alerts: {sent.Sent} digest(s) written to {host.OutboxFolder} (no SMTP configured)");
        await ShowOutboxAsync(host.OutboxFolder, orgs, quiet);
        await o.WriteLineAsync();
        await o.WriteLineAsync("Next: `belfry events export --format intelmq-jsonl --data " + folder + "`, `belfry quarantine list --data " + folder + "`");
        var ddos = noDdos ? 0 : await BelnetScenario.RunAsync(host, orgs, quiet, ct);
        return summary.RefusedFiles.Count == 0 && sent.Failed == 0 && ddos == 0 ? 0 : 1;
    }

    /// <summary>Only a folder that is empty or was made by an earlier demo is (re)used: never a real one.</summary>
    static void PrepareFolder(string folder)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            return;
        }
        if (!File.Exists(Path.Combine(folder, Marker)))
        {
            throw new CliException($"{folder} holds data that `belfry demo` did not make; choose another folder with --data");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    static async Task<List<string>> GenerateDayAsync(BelfryHost host, string folder, DateOnly day)
    {
        var schema = host.LoadShadowserverSchema();
        var files = new List<string>();
        var seed = day.DayNumber;
        foreach (var (type, rows) in s_reports)
        {
            if (schema.TryGetReport(type, out _))
            {
                files.Add(await FeedsCommand.GenerateReportAsync(schema, type, rows, folder, day, seed++));
            }
        }
        var gen = new FeedTextGenerator(seed);
        var drop = Path.Combine(folder, "drop.txt");
        await File.WriteAllTextAsync(drop, gen.DropText(40, day.ToDateTime(new TimeOnly(4, 0), DateTimeKind.Utc), out _));
        files.Add(drop);
        var phish = Path.Combine(folder, "openphish-feed.txt");
        await File.WriteAllLinesAsync(phish, gen.PhishingUrls(120));
        files.Add(phish);
        return files;
    }

    static async Task ShowOutboxAsync(string outbox, IReadOnlyList<Organisation> orgs, bool quiet)
    {
        if (!Directory.Exists(outbox))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(outbox, "*.eml").Order(StringComparer.Ordinal))
        {
            using var message = await MimeMessage.LoadAsync(file);
            var to = string.Join(", ", message.To.Mailboxes.Select(m => m.Address));
            var org = orgs.FirstOrDefault(x => x.Domains.Any(d => to.Contains(d, StringComparison.OrdinalIgnoreCase)));
            await Console.Out.WriteLineAsync();
            await Console.Out.WriteLineAsync($"== {org?.Name ?? to} [{org?.Language.Code()}] -> {to}");
            await Console.Out.WriteLineAsync($"   Subject: {message.Subject}");
            if (quiet)
            {
                continue;
            }
            var lines = (message.TextBody ?? string.Empty).ReplaceLineEndings("\n").Split('\n');
            foreach (var line in lines.Where(l => l.Length > 0).Take(14))
            {
                await Console.Out.WriteLineAsync("   " + line);
            }
            var attachment = message.Attachments.OfType<MimePart>().FirstOrDefault();
            if (attachment is not null)
            {
                await Console.Out.WriteLineAsync($"   [attachment {attachment.FileName}]");
            }
        }
    }
}
