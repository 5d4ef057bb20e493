using System.Globalization;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.DShield;

/// <summary>
/// DShield recommended block list (https://www.dshield.org/block.txt): '#' comments (the
/// "updated:" one gives time.source), a "Start End Netblock ..." header, then tab-separated
/// start, end, prefix length, attacks, network name, country and abuse e-mail. The start-end
/// range must be one CIDR block; it becomes source.network. Fields as IntelMQ's
/// DshieldBlockParserBot sets them.
/// </summary>
public sealed class DShieldBlockParser : IFeedParser
{
    public const string ParserName = "dshield-block";

    static readonly FeedInfo s_feed = new("DShield Block", "DShield", "https://www.dshield.org/block.txt");

    public string Name => ParserName;

    public string Description => "DShield recommended block list (block.txt)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("dshield", StringComparison.OrdinalIgnoreCase) && name.Contains("block", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return probe.Head.Contains("DShield.org Recommended Block List", StringComparison.OrdinalIgnoreCase) ||
            (probe.Head.Contains("DShield", StringComparison.OrdinalIgnoreCase) && probe.Head.Contains("Start\tEnd\tNetblock", StringComparison.Ordinal));
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(s_feed, context, sink);
        using var lines = new LineReader(input);
        DateTime? updated = null;
        Span<Range> cols = stackalloc Range[8];
        void OnComment(ReadOnlySpan<char> comment)
        {
            if (TryGetUpdated(comment, out var u))
            {
                updated = u;
            }
        }
        while (lines.TryReadDataLine(run, '#', OnComment, cancellationToken, out var line, out var t))
        {
            if (t.StartsWith("Start\t", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var raw = line.ToString();
            var n = t.Split(cols, '\t');
            var e = run.NewEvent(raw);
            if (TryBuild(e, t, cols[..n], out var error))
            {
                if (updated is { } time)
                {
                    e.Set(Fields.TimeSource, time);
                }
                run.Emit(e);
            }
            else
            {
                run.Reject(lines.LineNumber, raw, error!);
            }
        }
    }

    static bool TryBuild(Event e, ReadOnlySpan<char> line, ReadOnlySpan<Range> cols, out string? error)
    {
        error = null;
        if (cols.Length < 3)
        {
            error = $"expected at least 3 tab-separated fields, found {cols.Length}";
            return false;
        }
        var start = line[cols[0]].Trim();
        var end = line[cols[1]].Trim();
        if (!NetAddress.TryParse(start, out var first) || !NetAddress.TryParse(end, out var last))
        {
            error = $"invalid range '{FieldParsers.Truncate(start)}' - '{FieldParsers.Truncate(end)}'";
            return false;
        }
        if (!NetPrefix.TryFromRange(first, last, out var prefix))
        {
            error = $"range {first} - {last} is not one CIDR block";
            return false;
        }
        var lengthText = line[cols[2]].Trim();
        if (!lengthText.IsEmpty && (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length != prefix.Length))
        {
            error = $"netblock '/{FieldParsers.Truncate(lengthText)}' does not match range {first} - {last} (/{prefix.Length})";
            return false;
        }
        e.Set(Fields.SourceNetwork, FieldValue.Of(prefix));
        FeedRun.Classify(e, "blacklist");
        if (cols.Length > 3)
        {
            FeedRun.SetExtraInteger(e, "extra.attacks", line[cols[3]]);
        }
        if (cols.Length > 4)
        {
            FeedRun.SetExtraText(e, "extra.network_name", line[cols[4]]);
        }
        if (cols.Length > 5)
        {
            FeedRun.SetOptional(e, Fields.SourceCc, line[cols[5]]);
        }
        if (cols.Length > 6)
        {
            FeedRun.SetOptional(e, Fields.SourceAbuseContact, line[cols[6]]);
        }
        return true;
    }

    /// <summary>"#    updated: Tue Dec 15 15:33:38 2015 UTC" (asctime, UTC).</summary>
    static bool TryGetUpdated(ReadOnlySpan<char> comment, out DateTime utc)
    {
        utc = default;
        var body = comment.TrimStart('#').Trim();
        if (!body.StartsWith("updated:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var text = body["updated:".Length..].Trim();
        if (DateTime.TryParseExact(text, "ddd MMM d HH:mm:ss yyyy 'UTC'", CultureInfo.InvariantCulture,
                DateTimeStyles.AllowInnerWhite | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc))
        {
            return true;
        }
        return FieldParsers.TryParseTime(text, out utc);
    }
}
