using System.Globalization;
using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.GenericCsv;

/// <summary>
/// A CSV (or TSV, or any one-character delimiter) feed read through a <see cref="GenericCsvOptions"/>
/// column mapping. Values go through the IntelMQ rules of <see cref="FieldParsers"/>; a row with a
/// value no alternative of its column accepts is rejected. Never detected by content: only by
/// <see cref="GenericCsvOptions.FileNameContains"/> or by name.
/// </summary>
public sealed class GenericCsvParser : IFeedParser
{
    readonly GenericCsvOptions _options;
    readonly FeedInfo _feed;
    readonly string[][] _positional;

    public GenericCsvParser(GenericCsvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _feed = new FeedInfo(options.FeedName, options.FeedProvider, options.FeedUrl);
        _positional = options.Columns.Select(GenericCsvOptions.SplitAlternatives).ToArray();
        Name = options.ParserName ?? "csv:" + options.FeedName;
    }

    public GenericCsvOptions Options => _options;

    public string Name { get; }

    public string Description => $"CSV feed '{_options.FeedName}' (column mapping)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return _options.FileNameContains is { Length: > 0 } part &&
            Path.GetFileName(probe.FileName ?? string.Empty).Contains(part, StringComparison.OrdinalIgnoreCase);
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(_feed, context, sink);
        using var lines = new LineReader(input);
        var row = new CsvRow();
        var columns = _options.ColumnsByHeader is null ? _positional : null;
        var headerPending = _options.HasHeader;
        // Without SkipCommentLines a line starting with the comment character is data like any other.
        var commentChar = _options.SkipCommentLines ? _options.CommentChar : (char?)null;
        while (lines.TryReadDataLine(run, commentChar, null, cancellationToken, out var line, out _))
        {
            var raw = line.ToString();
            if (!row.TrySplit(raw, _options.Delimiter, _options.TrimFields, out var error))
            {
                run.Reject(lines.LineNumber, raw, error!);
                continue;
            }
            if (headerPending)
            {
                headerPending = false;
                columns ??= ResolveHeader(raw, row, context);
                continue;
            }
            var needed = LastMapped(columns!) + 1;
            if (row.Count < needed)
            {
                run.Reject(lines.LineNumber, raw, $"expected at least {needed} fields, found {row.Count}");
                continue;
            }
            var e = run.NewEvent(raw);
            if (_options.ClassificationType is { } type)
            {
                FeedRun.Classify(e, type);
            }
            if (TryFill(e, raw, row, columns!, out error))
            {
                if (e.ClassificationType is { } ct && !e.Contains(Fields.ClassificationTaxonomy))
                {
                    FeedRun.Classify(e, ct);
                }
                run.Emit(e);
            }
            else
            {
                run.Reject(lines.LineNumber, raw, error!);
            }
        }
    }

    static int LastMapped(string[][] columns)
    {
        for (var i = columns.Length - 1; i >= 0; i--)
        {
            if (columns[i].Length > 0)
            {
                return i;
            }
        }
        return -1;
    }

    string[][] ResolveHeader(string raw, CsvRow header, FeedContext context)
    {
        var map = _options.ColumnsByHeader!;
        var columns = new string[header.Count][];
        var found = 0;
        for (var i = 0; i < header.Count; i++)
        {
            var name = header.Get(raw, i).Trim().ToString();
            columns[i] = map.TryGetValue(name, out var entry) ? GenericCsvOptions.SplitAlternatives(entry) : [];
            if (map.ContainsKey(name))
            {
                found++;
            }
        }
        if (found < map.Count)
        {
            var missing = map.Keys.Where(k => !Enumerable.Range(0, header.Count).Any(i => header.Get(raw, i).Trim().Equals(k, StringComparison.OrdinalIgnoreCase)));
            throw new FeedFormatException($"Feed '{_options.FeedName}', file '{context.FileName}': header lacks column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
        }
        return columns;
    }

    bool TryFill(Event e, string raw, CsvRow row, string[][] columns, out string? error)
    {
        error = null;
        for (var i = 0; i < columns.Length && i < row.Count; i++)
        {
            var alternatives = columns[i];
            if (alternatives.Length == 0)
            {
                continue;
            }
            var value = row.Get(raw, i).Trim();
            if (value.IsEmpty)
            {
                continue;
            }
            string? firstError = null;
            var done = false;
            foreach (var field in alternatives)
            {
                if (TrySetValue(e, field, value, out var err))
                {
                    done = true;
                    break;
                }
                firstError ??= err;
            }
            if (!done)
            {
                error = $"column {i + 1}: {firstError}";
                return false;
            }
        }
        return true;
    }

    bool TrySetValue(Event e, string field, ReadOnlySpan<char> value, out string? error)
    {
        error = null;
        if (Fields.Known.TryGetValue(field, out var kind) && kind == Fields.Type.Time && _options.TimeFormat is { Length: > 0 } format)
        {
            if (!TryParseTime(value, format, out var t))
            {
                error = $"invalid {field}: '{FieldParsers.Truncate(value)}' (expected {format})";
                return false;
            }
            e.Set(field, t);
            return true;
        }
        if (Fields.IsExtra(field))
        {
            FeedRun.SetExtraInteger(e, field, value);
            return true;
        }
        return FeedRun.TrySet(e, field, value, out error);
    }

    static bool TryParseTime(ReadOnlySpan<char> s, string format, out DateTime utc)
    {
        utc = default;
        switch (format)
        {
            case "epoch":
            case "epoch_millis":
                if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    return false;
                }
                try
                {
                    utc = format == "epoch" ? DateTime.UnixEpoch.AddSeconds(n) : DateTime.UnixEpoch.AddMilliseconds(n);
                    return true;
                }
                catch (ArgumentOutOfRangeException)
                {
                    return false;
                }
            default:
                return DateTime.TryParseExact(s, format, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out utc);
        }
    }
}
