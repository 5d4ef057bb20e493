using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.AbuseCh;

/// <summary>
/// abuse.ch Feodo Tracker botnet C2 list, CSV form (https://feodotracker.abuse.ch/downloads/ipblocklist.csv,
/// ipblocklist_recommended.csv): a '#' banner, the columns as a comment
/// (<c># "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"</c>), quoted rows, and a
/// closing "# Number of entries" comment. These are the entries of ipblocklist.json without host name, AS
/// and country, so each field is set as <see cref="FeodoTrackerJsonParser"/> sets it: the same C2 makes the
/// same event whichever export a CERT downloads, and experts and reports need not tell them apart.
/// Columns are found by the commented header; without one, the current order is assumed.
/// </summary>
public sealed class FeodoTrackerCsvParser : IFeedParser
{
    public const string ParserName = "abusech-feodotracker-csv";

    static readonly string[] s_defaultColumns = ["first_seen_utc", "dst_ip", "dst_port", "c2_status", "last_online", "malware"];

    public string Name => ParserName;

    public string Description => "abuse.ch Feodo Tracker IP block list CSV (ipblocklist.csv)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("ipblocklist", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return HasColumnLine(probe.Head);
    }

    /// <summary>
    /// Whether the head holds the commented column line with dst_ip and dst_port. The banner says
    /// "Feodo Tracker" in the text block list too, so only the columns tell the CSV from it; ThreatFox and
    /// URLhaus CSV headers name no dst_ip.
    /// </summary>
    internal static bool HasColumnLine(string head)
    {
        var i = head.IndexOf("dst_ip", StringComparison.OrdinalIgnoreCase);
        if (i < 0)
        {
            return false;
        }
        var start = head.AsSpan(0, i).LastIndexOfAny('\n', '\r') + 1;
        var end = head.AsSpan(i).IndexOfAny('\n', '\r');
        var line = head.AsSpan(start, end < 0 ? head.Length - start : i + end - start).Trim();
        return line.StartsWith("#") &&
            AbuseChHeader.TryGetColumns(line, "dst_ip") is { } names &&
            Array.IndexOf(names, "dst_ip") >= 0 &&
            Array.IndexOf(names, "dst_port") >= 0;
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(FeodoTrackerJsonParser.BlockListFeed(context.FileName, "csv"), context, sink);
        using var lines = new LineReader(input);
        var row = new CsvRow();
        var cols = new Columns(s_defaultColumns);
        void OnComment(ReadOnlySpan<char> comment)
        {
            if (AbuseChHeader.TryGetColumns(comment, "dst_ip") is { } names && Array.IndexOf(names, "dst_ip") >= 0)
            {
                cols = new Columns(names);
            }
        }
        while (lines.TryReadDataLine(run, '#', OnComment, cancellationToken, out var line, out _))
        {
            var raw = line.ToString();
            if (!row.TrySplit(raw, ',', trimSpaces: true, out var error))
            {
                run.Reject(lines.LineNumber, raw, error!);
                continue;
            }
            // A row of another length is a cut or shifted line: its fields cannot be trusted to be in their columns.
            if (row.Count != cols.Count)
            {
                run.Reject(lines.LineNumber, raw, $"expected {cols.Count} fields, found {row.Count}");
                continue;
            }
            var e = run.NewEvent(raw);
            run.EmitOrReject(e, TryBuild(e, raw, row, cols, out error), lines.LineNumber, raw, error);
        }
    }

    static bool TryBuild(Event e, string raw, CsvRow row, Columns c, out string? error)
    {
        FeedRun.Classify(e, "c2-server");
        var ip = row.Get(raw, c.Ip).Trim();
        if (ip.IsEmpty)
        {
            error = "dst_ip empty";
            return false;
        }
        if (!FeedRun.TrySet(e, Fields.SourceIp, ip, out error))
        {
            error = "dst_ip: " + error;
            return false;
        }
        var port = row.Get(raw, c.Port).Trim();
        if (!port.IsEmpty && !FeedRun.TrySet(e, Fields.SourcePort, port, out error))
        {
            error = "dst_port: " + error;
            return false;
        }
        var firstSeen = row.Get(raw, c.FirstSeen).Trim();
        var lastOnline = row.Get(raw, c.LastOnline).Trim();
        // As the JSON parser (and IntelMQ): first seen, or last online for an entry without a first seen.
        var time = firstSeen.IsEmpty ? lastOnline : firstSeen;
        if (!time.IsEmpty && !FeedRun.TrySet(e, Fields.TimeSource, time, out error))
        {
            error = (firstSeen.IsEmpty ? "last_online: " : "first_seen_utc: ") + error;
            return false;
        }
        FeedRun.SetOptional(e, "status", row.Get(raw, c.Status));
        FeedRun.SetOptional(e, Fields.MalwareName, row.Get(raw, c.Malware));
        FeedRun.SetExtraText(e, "extra.last_online", lastOnline);
        error = null;
        return true;
    }

    sealed class Columns(string[] names)
    {
        public int Count { get; } = names.Length;
        public int FirstSeen { get; } = Array.IndexOf(names, "first_seen_utc");
        public int Ip { get; } = Array.IndexOf(names, "dst_ip");
        public int Port { get; } = Array.IndexOf(names, "dst_port");
        public int Status { get; } = Array.IndexOf(names, "c2_status");
        public int LastOnline { get; } = Array.IndexOf(names, "last_online");
        public int Malware { get; } = Array.IndexOf(names, "malware");
    }
}
