using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.AbuseCh;

/// <summary>
/// abuse.ch Feodo Tracker botnet C2 list, JSON form (https://feodotracker.abuse.ch/downloads/ipblocklist.json):
/// an array of objects with ip_address, port, status, hostname, as_number, as_name, country,
/// first_seen, last_online and malware. Fields as IntelMQ's AbusechFeodoTrackerParserBot sets them.
/// </summary>
public sealed class FeodoTrackerJsonParser : IFeedParser
{
    public const string ParserName = "abusech-feodotracker";

    internal static readonly FeedInfo Feed = new("Feodo Tracker", "Abuse.ch", "https://feodotracker.abuse.ch/downloads/ipblocklist.json");

    /// <summary>The feed of an IP block list export (<paramref name="extension"/> "csv" or "txt"): the full list, or the recommended one when the file name says so.</summary>
    internal static FeedInfo BlockListFeed(string? fileName, string extension)
    {
        var recommended = fileName?.Contains("recommended", StringComparison.OrdinalIgnoreCase) == true;
        return Feed with { Url = $"https://feodotracker.abuse.ch/downloads/ipblocklist{(recommended ? "_recommended" : string.Empty)}.{extension}" };
    }

    public string Name => ParserName;

    public string Description => "abuse.ch Feodo Tracker JSON (ipblocklist.json)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("ipblocklist", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var head = probe.Head.AsSpan().TrimStart("\uFEFF \t\r\n");
        return head.StartsWith("[") && probe.Head.Contains("\"ip_address\"", StringComparison.Ordinal);
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(Feed, context, sink);
        using var json = new JsonTopLevelReader(input);
        if (!json.TryStart())
        {
            if (json.Error == "empty input")
            {
                return;
            }
            throw new FeedFormatException($"Feed '{Feed.Name}', file '{context.FileName}': {json.Error}; expected the ipblocklist.json array.");
        }
        if (json.Container != '[')
        {
            throw new FeedFormatException($"Feed '{Feed.Name}', file '{context.FileName}': expected a JSON array of C2 entries, found an object.");
        }
        foreach (var raw in json.Elements(run, cancellationToken))
        {
            if (!JsonValues.TryParseObject(raw, out var doc, out var error))
            {
                run.Reject(json.Line, raw, error!);
                continue;
            }
            using (doc)
            {
                if (TryBuild(run, raw, doc!.RootElement, out var e, out error))
                {
                    run.Emit(e!);
                }
                else
                {
                    run.Reject(json.Line, raw, error!);
                }
            }
        }
    }

    static bool TryBuild(FeedRun run, string raw, JsonElement o, out Event? e, out string? error)
    {
        e = run.NewEvent(raw);
        FeedRun.Classify(e, "c2-server");
        var ip = JsonValues.Scalar(o, "ip_address");
        if (ip is null)
        {
            error = "ip_address missing";
            return false;
        }
        if (!FeedRun.TrySet(e, Fields.SourceIp, ip, out error))
        {
            return false;
        }
        if (JsonValues.Scalar(o, "port") is { } port && !FeedRun.TrySet(e, Fields.SourcePort, port, out error))
        {
            return false;
        }
        var firstSeen = JsonValues.Scalar(o, "first_seen");
        var lastOnline = JsonValues.Scalar(o, "last_online");
        // IntelMQ takes first_seen, and last_online when an entry has no first_seen.
        if ((firstSeen ?? lastOnline) is { } time && !FeedRun.TrySet(e, Fields.TimeSource, time, out error))
        {
            return false;
        }
        FeedRun.SetOptional(e, "status", JsonValues.Scalar(o, "status"));
        FeedRun.SetOptional(e, Fields.SourceReverseDns, JsonValues.Scalar(o, "hostname"));
        FeedRun.SetOptional(e, Fields.SourceAsn, JsonValues.Scalar(o, "as_number"));
        FeedRun.SetOptional(e, Fields.SourceAsName, JsonValues.Scalar(o, "as_name"));
        FeedRun.SetOptional(e, Fields.SourceCc, JsonValues.Scalar(o, "country"));
        FeedRun.SetOptional(e, Fields.MalwareName, JsonValues.Scalar(o, "malware"));
        FeedRun.SetExtraText(e, "extra.last_online", lastOnline);
        error = null;
        return true;
    }
}
