using System.CommandLine;
using Belfry.Cli.Hosting;
using Belfry.Core.Events;
using Belfry.Feeds.IntelMq;
using Belfry.Storage;

namespace Belfry.Cli.Commands;

static class EventsCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "Output format: intelmq-jsonl", DefaultValueFactory = _ => "intelmq-jsonl" };
        var org = new Option<string?>("--org") { Description = "Only this organisation's events (enterprise number)" };
        var since = new Option<string?>("--since") { Description = "Only events at or after this time: their time.source, else when observed (ISO 8601, UTC if no zone)" };
        var feed = new Option<string?>("--feed") { Description = "Only events of this feed name" };
        var clearance = new Option<string>("--tlp") { Description = "Reader's TLP clearance: events marked above it are left out", DefaultValueFactory = _ => "AMBER" };
        var export = new Command("export", "Write stored events to standard output (IntelMQ JSON lines)") { format, org, since, feed, clearance };
        export.SetHostAction(async (parse, host, ct) =>
        {
            if (parse.GetValue(format) != "intelmq-jsonl")
            {
                throw new CliException($"unknown format '{parse.GetValue(format)}' (intelmq-jsonl)");
            }
            DateTime? from = null;
            if (parse.GetValue(since) is { } s)
            {
                from = FieldParsers.TryParseTime(s, out var t) ? t : throw new CliException($"--since: '{s}' is not a time (e.g. 2026-11-30 or 2026-11-30T08:00:00Z)");
            }
            if (!TlpNames.TryParse(parse.GetValue(clearance), out var tlp))
            {
                throw new CliException($"unknown TLP '{parse.GetValue(clearance)}'");
            }
            var orgId = parse.GetValue(org);
            if (orgId is not null && Core.Constituency.EnterpriseNumber.TryNormalize(orgId, out var normalized))
            {
                orgId = normalized;
            }
            var query = new EventQuery { Organisation = orgId, Since = from, Feed = parse.GetValue(feed), Clearance = tlp };
            await using var stdout = Console.OpenStandardOutput();
            await using var buffered = new BufferedStream(stdout, 1 << 16);
            await foreach (var e in host.Store.QueryEventsAsync(query, ct))
            {
                IntelMqJsonWriter.WriteLine(e, buffered);
            }
            return 0;
        });
        return new Command("events", "Stored events") { export };
    }
}
