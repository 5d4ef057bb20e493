using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.AbuseCh;

/// <summary>
/// abuse.ch URLhaus CSV dump (https://urlhaus.abuse.ch/downloads/csv_recent/):
/// <c># id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter</c> as a comment,
/// then quoted rows. Columns are found by that header (older dumps lack last_online); without one,
/// the current order is assumed. Each row is a malware-distribution event for the URL's host.
/// </summary>
public sealed class UrlhausCsvParser : IFeedParser
{
    public const string ParserName = "abusech-urlhaus";

    static readonly FeedInfo s_feed = new("URLhaus", "Abuse.ch", "https://urlhaus.abuse.ch/downloads/csv_recent/");
    static readonly string[] s_defaultColumns = ["id", "dateadded", "url", "url_status", "last_online", "threat", "tags", "urlhaus_link", "reporter"];

    public string Name => ParserName;

    public string Description => "abuse.ch URLhaus CSV (csv_recent, csv_online)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("urlhaus", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return probe.Head.Contains("URLhaus", StringComparison.OrdinalIgnoreCase) &&
            probe.Head.Contains("# id,dateadded,url", StringComparison.OrdinalIgnoreCase);
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(s_feed, context, sink);
        using var lines = new LineReader(input);
        var row = new CsvRow();
        var cols = new Columns(s_defaultColumns);
        void OnComment(ReadOnlySpan<char> comment)
        {
            if (AbuseChHeader.TryGetColumns(comment, "dateadded") is { } names)
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
            if (row.Count <= cols.Url || row.Count <= cols.DateAdded)
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
        FeedRun.Classify(e, "malware-distribution");
        if (!UrlHost.TrySetUrl(e, row.Get(raw, c.Url), Fields.SourceUrl, Fields.SourceIp, Fields.SourceFqdn, Fields.SourcePort, out error) ||
            !FeedRun.TrySet(e, Fields.TimeSource, row.Get(raw, c.DateAdded), out error))
        {
            return false;
        }
        FeedRun.SetOptional(e, "status", row.Get(raw, c.Status));
        FeedRun.SetExtraInteger(e, "extra.urlhaus_id", row.Get(raw, c.Id));
        FeedRun.SetExtraText(e, "extra.last_online", row.Get(raw, c.LastOnline));
        FeedRun.SetExtraText(e, "extra.threat", row.Get(raw, c.Threat));
        FeedRun.SetExtraText(e, "extra.tags", row.Get(raw, c.Tags));
        FeedRun.SetExtraText(e, "extra.urlhaus_link", row.Get(raw, c.Link));
        FeedRun.SetExtraText(e, "extra.reporter", row.Get(raw, c.Reporter));
        return true;
    }

    sealed class Columns(string[] names)
    {
        public int Count { get; } = names.Length;
        public int Id { get; } = Array.IndexOf(names, "id");
        public int DateAdded { get; } = Array.IndexOf(names, "dateadded");
        public int Url { get; } = Array.IndexOf(names, "url");
        public int Status { get; } = Array.IndexOf(names, "url_status");
        public int LastOnline { get; } = Array.IndexOf(names, "last_online");
        public int Threat { get; } = Array.IndexOf(names, "threat");
        public int Tags { get; } = Array.IndexOf(names, "tags");
        public int Link { get; } = Array.IndexOf(names, "urlhaus_link");
        public int Reporter { get; } = Array.IndexOf(names, "reporter");
    }
}
