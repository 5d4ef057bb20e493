using System.Text;
using Belfry.Core.Events;

namespace Belfry.Notify;

/// <summary>
/// Writes events as RFC 4180 CSV for the digest attachment: a fixed set of IntelMQ columns, then
/// every extra.* field present in any of the events (sorted), one column each. Missing values are
/// empty cells. Lines end in CRLF; the text is UTF-8 without a byte order mark.
/// </summary>
public static class EventCsv
{
    /// <summary>The fixed columns, in order, before the extra.* columns.</summary>
    public static IReadOnlyList<string> FixedColumns { get; } =
    [
        Fields.TimeSource,
        Fields.ClassificationTaxonomy,
        Fields.ClassificationType,
        Fields.ClassificationIdentifier,
        Fields.SourceIp,
        Fields.SourcePort,
        Fields.SourceAsn,
        Fields.SourceFqdn,
        Fields.SourceUrl,
        Fields.DestinationIp,
        Fields.DestinationPort,
        Fields.ProtocolTransport,
        Fields.ProtocolApplication,
        Fields.MalwareName,
        Fields.FeedName,
    ];

    /// <summary>The columns for these events: the fixed ones, then the extra.* fields present, sorted.</summary>
    public static IReadOnlyList<string> ColumnsFor(IEnumerable<Event> events)
    {
        var extras = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            for (var i = 0; i < e.Count; i++)
            {
                var name = e.NameAt(i);
                if (Fields.IsExtra(name))
                {
                    extras.Add(name);
                }
            }
        }
        return [.. FixedColumns, .. extras];
    }

    public static void Write(TextWriter writer, IReadOnlyList<Event> events)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(events);
        var columns = ColumnsFor(events);
        for (var c = 0; c < columns.Count; c++)
        {
            if (c > 0)
            {
                writer.Write(',');
            }
            WriteCell(writer, columns[c], guardFormula: false);
        }
        writer.Write("\r\n");
        foreach (var e in events)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }
                if (e.TryGet(columns[c], out var value))
                {
                    WriteCell(writer, value.ToString(), guardFormula: value.Kind == FieldKind.Text);
                }
            }
            writer.Write("\r\n");
        }
    }

    public static byte[] ToUtf8(IReadOnlyList<Event> events)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
        {
            Write(writer, events);
        }
        return stream.ToArray();
    }

    static void WriteCell(TextWriter writer, string text, bool guardFormula)
    {
        // Recipients open the file in a spreadsheet, and text fields (user agents, URLs, banners) come from
        // the attacker's side: a leading = + @ or control character would be run as a formula
        // ("CSV injection"). Prefixing an apostrophe makes the spreadsheet show it as text.
        if (guardFormula && text.Length > 0 && text[0] is '=' or '+' or '@' or '\t' or '\r' or '-')
        {
            text = "'" + text;
        }
        var needsQuotes = text.AsSpan().IndexOfAny(",\"\r\n") >= 0
            || (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])));
        if (!needsQuotes)
        {
            writer.Write(text);
            return;
        }
        writer.Write('"');
        writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
    }
}
