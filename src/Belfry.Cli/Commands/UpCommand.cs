using System.CommandLine;
using System.Net;
using Belfry.Cli.Hosting;
using Belfry.Flows.Collection;
using Belfry.Pipeline;

namespace Belfry.Cli.Commands;

/// <summary>
/// `belfry up`: the platform as a long-running service on the embedded defaults, in one process:
/// feed files dropped in the inbox are ingested, organisations get their digests at the
/// configured interval, and flow telemetry is watched for DDoS attacks.
/// </summary>
static class UpCommand
{
    public static Command Create()
    {
        var netflow = new Option<string>("--netflow") { Description = "NetFlow/IPFIX listen address", DefaultValueFactory = _ => "127.0.0.1:2055" };
        var sflow = new Option<string>("--sflow") { Description = "sFlow listen address", DefaultValueFactory = _ => "127.0.0.1:6343" };
        var noFlows = new Option<bool>("--no-flows") { Description = "Do not run the flow collector and DDoS detection" };
        var poll = new Option<double>("--poll") { Description = "Seconds between looks into the inbox folder", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl+C)" };
        var cmd = new Command("up", "Run Belfry as a service: ingest feed files dropped into DATA/inbox, send digests at the configured interval, detect DDoS attacks in flow telemetry")
        {
            netflow, sflow, noFlows, poll, seconds,
        };
        cmd.SetHostAction(async (parse, host, ct) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (parse.GetValue(seconds) is > 0 and var s)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(s));
            }
            var inbox = Path.Combine(host.DataFolder, "inbox");
            Directory.CreateDirectory(inbox);
            await Console.Error.WriteLineAsync($"belfry up: data {host.DataFolder}; drop feed files into {inbox}");

            var tasks = new List<Task>
            {
                WatchInboxAsync(host, inbox, TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(poll))), stop.Token),
                NotifyLoopAsync(host, stop.Token),
            };
            if (!parse.GetValue(noFlows))
            {
                var options = new FlowCollectorOptions
                {
                    NetFlowEndpoints = [IPEndPoint.Parse(parse.GetValue(netflow)!)],
                    SFlowEndpoints = [IPEndPoint.Parse(parse.GetValue(sflow)!)],
                };
                tasks.Add(FlowsCommand.RunListenAsync(host, options, new DdosFlags(), json: false, seconds: 0, interval: 60, stop.Token));
            }
            try
            {
                await Task.WhenAll(tasks);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Ingests each new file in the inbox, then moves it to processed/ (or refused/ with the reason printed).</summary>
    static async Task WatchInboxAsync(BelfryHost host, string inbox, TimeSpan poll, CancellationToken ct)
    {
        var processed = Path.Combine(inbox, "processed");
        var refused = Path.Combine(inbox, "refused");
        while (!ct.IsCancellationRequested)
        {
            var files = Directory.EnumerateFiles(inbox).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
            if (files.Count > 0)
            {
                // Experts are rebuilt per run so newly imported organisations are matched.
                var pipeline = new IngestPipeline(host.CreateRegistry(), await host.CreateExpertsAsync(ct), host.Store, host.Clock);
                var summary = await pipeline.RunAsync(files, new IngestOptions(), null, ct);
                await Console.Out.WriteLineAsync($"inbox: {files.Count} file(s), {summary.Parsed:N0} events, {summary.Stored:N0} new, {summary.Quarantined:N0} quarantined");
                var refusedFiles = summary.RefusedFiles.Select(r => r.File).ToHashSet(StringComparer.Ordinal);
                foreach (var r in summary.RefusedFiles)
                {
                    await Console.Error.WriteLineAsync($"inbox: refused {Path.GetFileName(r.File)}: {r.Reason}");
                }
                foreach (var f in files)
                {
                    var dest = refusedFiles.Contains(f) ? refused : Path.Combine(processed, host.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(dest);
                    File.Move(f, Path.Combine(dest, Path.GetFileName(f)), overwrite: true);
                }
            }
            try
            {
                await Task.Delay(poll, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static async Task NotifyLoopAsync(BelfryHost host, CancellationToken ct)
    {
        var service = NotifyFactory.Create(host, dryRun: false);
        try
        {
            await service.RunAsync(host.Clock, summary =>
            {
                foreach (var o in summary.Organisations.Where(o => o.Outcome != Notify.NotificationOutcome.TooRecent))
                {
                    Console.Out.WriteLine($"notify: {o.Organisation} {o.Outcome} {o.EventCount} event(s) {o.Error}");
                }
            }, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
