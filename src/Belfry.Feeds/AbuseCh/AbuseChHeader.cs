using Belfry.Core.Events;

namespace Belfry.Feeds.AbuseCh;

/// <summary>The comment banner abuse.ch puts above its text and CSV exports.</summary>
internal static class AbuseChHeader
{
    /// <summary>"# Last updated: 2023-09-01 11:16:32 UTC #" (also "(UTC)").</summary>
    public static bool TryGetLastUpdated(ReadOnlySpan<char> comment, out DateTime utc)
    {
        utc = default;
        var i = comment.IndexOf("Last updated:", StringComparison.OrdinalIgnoreCase);
        if (i < 0)
        {
            return false;
        }
        var rest = comment[(i + "Last updated:".Length)..].Trim().TrimEnd('#').Trim();
        if (rest.EndsWith("(UTC)", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest[..^5].Trim();
        }
        return FieldParsers.TryParseTime(rest, out utc);
    }

    /// <summary>
    /// The column names of a commented CSV header such as <c># id,dateadded,url</c> or
    /// <c># "first_seen_utc","ioc_id"</c>; null when the comment is not one.
    /// </summary>
    public static string[]? TryGetColumns(ReadOnlySpan<char> comment, string mustContain)
    {
        var body = comment.TrimStart('#').Trim();
        if (!body.Contains(mustContain, StringComparison.OrdinalIgnoreCase) || !body.Contains(','))
        {
            return null;
        }
        var names = body.ToString().Split(',', StringSplitOptions.TrimEntries);
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = names[i].Trim('"').ToLowerInvariant();
        }
        return names;
    }
}
