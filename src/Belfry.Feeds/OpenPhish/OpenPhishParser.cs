using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.OpenPhish;

/// <summary>
/// OpenPhish community feed (https://www.openphish.com/feed.txt): one phishing URL per line. Each
/// becomes a "phishing" event with source.url (as IntelMQ's OpenPhishParserBot) and, from the URL's
/// host, source.fqdn or source.ip. A URL whose host is no valid DNS name (an empty label as in
/// "www..example.com") is rejected: nobody can be phished there, and it would only add an
/// unmatchable entry to the ISP block list.
/// </summary>
public sealed class OpenPhishParser : IFeedParser
{
    public const string ParserName = "openphish";

    static readonly FeedInfo s_feed = new("OpenPhish", "OpenPhish", "https://www.openphish.com/feed.txt");

    public string Name => ParserName;

    public string Description => "OpenPhish URL feed (feed.txt: one URL per line)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        return name.Contains("openphish", StringComparison.OrdinalIgnoreCase) || AllLinesAreUrls(probe.Head);
    }

    /// <summary>True when every complete non-empty line of the head starts with http:// or https://.</summary>
    internal static bool AllLinesAreUrls(string head)
    {
        var s = head.AsSpan().TrimStart('\uFEFF');
        var lines = 0;
        while (!s.IsEmpty)
        {
            var nl = s.IndexOf('\n');
            var line = (nl < 0 ? s : s[..nl]).Trim();
            var complete = nl >= 0;
            s = nl < 0 ? default : s[(nl + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            var isUrl = line.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || line.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            if (!isUrl && (complete || !"https://".AsSpan().StartsWith(line, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
            if (line.ContainsAny(' ', '\t'))
            {
                return false;
            }
            lines++;
        }
        return lines > 0;
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(s_feed, context, sink);
        using var lines = new LineReader(input);
        while (lines.TryReadDataLine(run, '#', null, cancellationToken, out var line, out var t))
        {
            var raw = line.ToString();
            var e = run.NewEvent(raw, 12);
            FeedRun.Classify(e, "phishing");
            if (UrlHost.TrySetUrl(e, t, Fields.SourceUrl, Fields.SourceIp, Fields.SourceFqdn, null, out var error))
            {
                run.Emit(e);
            }
            else
            {
                run.Reject(lines.LineNumber, raw, error!);
            }
        }
    }
}
