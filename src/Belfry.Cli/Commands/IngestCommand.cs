using System.CommandLine;
using System.Text.Json;
using Belfry.Cli.Output;
using Belfry.Core.Events;
using Belfry.Pipeline;

namespace Belfry.Cli.Commands;

static class IngestCommand
{
    public static Command Create()
    {
        var feed = new Option<string?>("--feed") { Description = "Feed or report type (e.g. scan_http, spamhaus-drop); detected per file when omitted" };
        var tlp = new Option<string>("--tlp") { Description = "TLP marking for the ingested events", DefaultValueFactory = _ => "AMBER" };
        var mapping = new Option<string?>("--mapping") { Description = "Generic CSV feed: a JSON column mapping (also read from DATA/feeds.d/*.json); implies --feed of that mapping" };
        var inputs = new Argument<string[]>("inputs") { Description = "Files or folders", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("ingest", "Parse feed files, enrich the events (AS number, organisation, dedup) and store them") { feed, tlp, mapping, inputs };
        cmd.SetHostAction(async (parse, host, ct) =>
        {
            if (!TlpNames.TryParse(parse.GetValue(tlp), out var marking))
            {
                throw new Hosting.CliException($"unknown TLP '{parse.GetValue(tlp)}' (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)");
            }
            var json = parse.GetValue(GlobalOptions.Json);
            var mappingFile = parse.GetValue(mapping);
            var registry = host.CreateRegistry(mappingFile is null ? null : [mappingFile]);
            var feedName = parse.GetValue(feed) ?? (mappingFile is null ? null : registry.Parsers[0].Name);
            var pipeline = new IngestPipeline(registry, await host.CreateExpertsAsync(ct), host.Store, host.Clock);
            IngestSummary summary;
            using (var bar = new ProgressBar(!json))
            {
                summary = await pipeline.RunAsync(parse.GetValue(inputs)!, new IngestOptions { Feed = feedName, Tlp = marking }, bar, ct);
            }
            await WriteSummaryAsync(summary, json);
            return summary.RefusedFiles.Count > 0 && summary.Parsed == 0 ? 1 : 0;
        });
        return cmd;
    }

    public static async Task WriteSummaryAsync(IngestSummary s, bool json)
    {
        if (json)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(s, CliJson.Default.IngestSummary));
            return;
        }
        var o = Console.Out;
        await o.WriteLineAsync($"Ingested {s.Files} file(s), {s.Bytes / 1048576.0:N1} MiB in {s.Elapsed.TotalSeconds:N2} s ({s.EventsPerSecond:N0} events/s)");
        await o.WriteLineAsync($"  events parsed {s.Parsed:N0}, newly stored {s.Stored:N0}, already stored {s.AlreadyStored:N0}, quarantined {s.Quarantined:N0}");
        foreach (var (expert, n) in s.ExpertDropped)
        {
            await o.WriteLineAsync($"  dropped by {expert}: {n:N0}");
        }
        if (s.EventsPerFeed.Count > 0)
        {
            await o.WriteLineAsync("Per feed:");
            foreach (var (f, n) in s.EventsPerFeed.OrderByDescending(x => x.Value))
            {
                await o.WriteLineAsync($"  {f,-40} {n,12:N0}");
            }
        }
        await o.WriteLineAsync("Per organisation:");
        foreach (var (org, n) in s.EventsPerOrganisation.OrderByDescending(x => x.Value))
        {
            await o.WriteLineAsync($"  {org,-40} {n,12:N0}");
        }
        await o.WriteLineAsync($"  {"(no organisation: national picture only)",-40} {s.Unmatched,12:N0}");
        if (s.QuarantineReasons.Count > 0)
        {
            await o.WriteLineAsync("Quarantined (see `belfry quarantine list`):");
            foreach (var (reason, n) in s.QuarantineReasons.OrderByDescending(x => x.Value))
            {
                await o.WriteLineAsync($"  {reason,-40} {n,12:N0}");
            }
        }
        foreach (var w in s.Warnings)
        {
            await Console.Error.WriteLineAsync($"warning: {w}");
        }
        foreach (var f in s.RefusedFiles)
        {
            await Console.Error.WriteLineAsync($"refused {f.File}: {f.Reason}");
        }
    }
}
