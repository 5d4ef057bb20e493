using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.AbuseCh;

/// <summary>
/// abuse.ch Feodo Tracker plain IP block lists (ipblocklist.txt, ipblocklist_recommended.txt):
/// '#' comment lines, one C2 address per line. The "Last updated:" comment becomes time.source,
/// as the Spamhaus Last-Modified does in IntelMQ.
/// </summary>
public sealed class FeodoTrackerTextParser : IFeedParser
{
    public const string ParserName = "abusech-feodotracker-ips";

    public string Name => ParserName;

    public string Description => "abuse.ch Feodo Tracker IP block list text (ipblocklist.txt)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("ipblocklist", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        // The CSV export has the same banner; its column line tells it apart.
        return probe.Head.Contains("Feodo Tracker", StringComparison.OrdinalIgnoreCase) &&
            probe.Head.AsSpan().TrimStart("\uFEFF \t\r\n").StartsWith("#") &&
            !FeodoTrackerCsvParser.HasColumnLine(probe.Head);
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(FeodoTrackerJsonParser.BlockListFeed(context.FileName, "txt"), context, sink);
        using var lines = new LineReader(input);
        DateTime? updated = null;
        void OnComment(ReadOnlySpan<char> comment)
        {
            if (AbuseChHeader.TryGetLastUpdated(comment, out var u))
            {
                updated = u;
            }
        }
        while (lines.TryReadDataLine(run, '#', OnComment, cancellationToken, out var line, out var t))
        {
            var raw = line.ToString();
            var e = run.NewEvent(raw);
            FeedRun.Classify(e, "c2-server");
            if (!FeedRun.TrySet(e, Fields.SourceIp, t, out var error))
            {
                run.Reject(lines.LineNumber, raw, error!);
                continue;
            }
            if (updated is { } time)
            {
                e.Set(Fields.TimeSource, time);
            }
            run.Emit(e);
        }
    }
}
