using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Events;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Parses Shadowserver's CSV reports into IntelMQ-format events, driven by Shadowserver's schema
/// (<c>intelmq.json</c>) the way IntelMQ's Shadowserver parser is: per report type, required and
/// optional column mappings with conversion functions, and constant fields (classification).
/// </summary>
/// <remarks>
/// The report type comes from <see cref="FeedContext.Feed"/> (file-name key such as <c>scan_http</c>,
/// or feed name such as <c>Accessible-HTTP</c>), else from the file name
/// (<c>YYYY-MM-DD-&lt;report&gt;-….csv</c> or <c>&lt;report&gt;.csv</c>), else from the header.
/// Columns are resolved once per file; each row is then converted without LINQ, regexes or splits.
/// </remarks>
public sealed partial class ShadowserverParser : IFeedParser
{
    /// <summary>Longest row accepted, in characters; longer rows are rejected (not the file).</summary>
    public const int MaxRowChars = 1 << 20;

    /// <summary>At most this much of a rejected row is kept in its <see cref="Rejection.Raw"/>.</summary>
    public const int MaxRejectedRawChars = 64 * 1024;

    /// <summary>Minimum header/schema column overlap (Jaccard) for detecting a report type from the header alone.</summary>
    const double MinHeaderMatch = 0.5;

    readonly ShadowserverSchema _schema;

    public ShadowserverParser(ShadowserverSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
    }

    public string Name => "shadowserver";

    public string Description => "Shadowserver CSV reports (all report types of the Shadowserver IntelMQ schema)";

    public ShadowserverSchema Schema => _schema;

    /// <summary>
    /// Whether common columns are converted in line (<see cref="ColumnOp.Fast"/>). Always on; off only
    /// in tests, which check that both ways give the same events and rejections.
    /// </summary>
    internal bool FastPaths { get; init; } = true;

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (ShadowserverFileName.TryGetReportType(probe.FileName, out var type) &&
            (IsDatedName(probe.FileName!) || _schema.TryGetReport(type, out _)))
        {
            return true;
        }
        var head = probe.Head.AsSpan().TrimStart('\uFEFF');
        var nl = head.IndexOfAny('\r', '\n');
        var first = (nl >= 0 ? head[..nl] : head).ToString();
        var cols = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in first.Split(','))
        {
            cols.Add(c.Trim().Trim('"').Trim());
        }
        return cols.Contains("timestamp") && (cols.Contains("ip") || cols.Contains("src_ip")) &&
            (cols.Contains("asn") || cols.Contains("geo") || cols.Contains("src_asn") || cols.Contains("src_geo"));
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        if (input.Peek() == '\uFEFF')
        {
            input.Read(); // a BOM would otherwise become part of the first column name
        }
        var file = context.FileName ?? "(input)";
        var reader = new CsvRowReader(input);
        bool any;
        try
        {
            any = reader.MoveNext();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new FeedFormatException($"Shadowserver file '{file}': cannot read the CSV header: {e.Message}", e);
        }
        if (!any)
        {
            return; // an empty report: nothing found that day
        }
        if (reader.OverlongReason is { } overlong)
        {
            throw new FeedFormatException($"Shadowserver file '{file}': the CSV header is not a header: {overlong}");
        }
        var header = new string[reader.ColCount];
        for (var i = 0; i < header.Length; i++)
        {
            header[i] = ColText(reader.Col(i)).Trim().ToString();
        }
        var report = ResolveReport(context, header);
        var plan = ShadowserverPlan.Build(report, header, context.ObservationTime);
        ParseRows(reader, plan, context, sink, FastPaths, cancellationToken);
    }

    /// <summary>Which report type a file is: explicit feed, file name, then header (see the class remarks).</summary>
    internal ShadowserverReport ResolveReport(FeedContext context, IReadOnlyList<string> header)
    {
        var file = context.FileName ?? "(input)";
        if (!string.IsNullOrWhiteSpace(context.Feed) && !context.Feed.Equals(Name, StringComparison.OrdinalIgnoreCase))
        {
            return _schema.TryGetReport(context.Feed, out var r)
                ? r
                : throw new FeedFormatException($"Shadowserver file '{file}': unknown report type '{context.Feed}'; expected a report type of the schema (e.g. 'scan_http') or its feed name (e.g. 'Accessible-HTTP').");
        }
        var fromName = ShadowserverFileName.TryGetReportType(context.FileName, out var type);
        if (fromName && _schema.TryGetReport(type, out var byName))
        {
            return byName;
        }
        if (TryDetectFromHeader(header, out var byHeader, out var why))
        {
            return byHeader;
        }
        var nameNote = fromName ? $" (report type '{type}' from the file name is not in the schema)" : string.Empty;
        throw new FeedFormatException(
            $"Shadowserver file '{file}': cannot tell the report type{nameNote}: {why}. Expected a file named YYYY-MM-DD-<report>-<details>.csv or <report>.csv with a report type of the schema, or the report type given explicitly (--feed).");
    }

    /// <summary>The report type whose schema columns best cover the header; false on a tie or a weak match.</summary>
    internal bool TryDetectFromHeader(IReadOnlyList<string> header, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ShadowserverReport? report, out string why)
    {
        report = null;
        var best = 0.0;
        var ties = new List<string>();
        foreach (var r in _schema.Reports)
        {
            var requiredOk = true;
            foreach (var m in r.RequiredFields)
            {
                if (!Contains(header, m.Column))
                {
                    requiredOk = false;
                    break;
                }
            }
            if (!requiredOk)
            {
                continue;
            }
            var matched = 0;
            foreach (var h in header)
            {
                if (r.ColumnSet.Contains(h))
                {
                    matched++;
                }
            }
            var score = (double)matched / (header.Count + r.Columns.Count - matched);
            if (score > best + 1e-9)
            {
                best = score;
                report = r;
                ties.Clear();
                ties.Add(r.FileName);
            }
            else if (Math.Abs(score - best) <= 1e-9 && report is not null)
            {
                ties.Add(r.FileName);
            }
        }
        if (report is null || best < MinHeaderMatch)
        {
            why = report is null
                ? "no report type of the schema has all its required columns in the header"
                : string.Create(CultureInfo.InvariantCulture, $"the header matches no report type well enough (best: '{report.FileName}', {best:P0} of the columns)");
            report = null;
            return false;
        }
        if (ties.Count > 1)
        {
            why = $"the header fits {ties.Count} report types equally well ({string.Join(", ", ties)})";
            report = null;
            return false;
        }
        why = string.Empty;
        return true;
    }

    static bool Contains(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == column)
            {
                return true;
            }
        }
        return false;
    }

    static bool IsDatedName(string fileName)
    {
        var n = Path.GetFileName(fileName.AsSpan());
        return n.Length > 11 && char.IsAsciiDigit(n[0]) && n[4] == '-' && n[7] == '-' && n[10] == '-';
    }

    static void ParseRows(CsvRowReader reader, ShadowserverPlan plan, FeedContext context, IFeedSink sink, bool fastPaths, CancellationToken cancellationToken)
    {
        var rows = new RowConverter(plan, context, sink, fastPaths);
        var count = 0;
        while (true)
        {
            bool more;
            try
            {
                more = reader.MoveNext();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new FeedFormatException($"Shadowserver file '{context.FileName ?? "(input)"}': unreadable after row {count}: {e.Message}", e);
            }
            if (!more)
            {
                break;
            }
            if ((++count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            rows.Convert(reader);
        }
    }

    /// <summary>
    /// Turns the rows of one file into events or rejections. Its own object with a method per row
    /// (rather than the body of the read loop) so that the runtime compiles the row path fully
    /// optimised with profile guidance, not as the on-stack replacement of a long-running loop.
    /// </summary>
    sealed class RowConverter
    {
        readonly ShadowserverPlan _plan;
        readonly IFeedSink _sink;
        readonly string _feedName;
        readonly string? _file;
        readonly Tlp _tlp;
        readonly EventPool? _pool;
        readonly LayoutCache? _layouts;
        readonly FieldValue[] _values;
        readonly FastPath[] _fast;

        public RowConverter(ShadowserverPlan plan, FeedContext context, IFeedSink sink, bool fastPaths)
        {
            _plan = plan;
            _sink = sink;
            _feedName = plan.Report.FeedName;
            _file = context.FileName;
            _tlp = context.Tlp;
            _pool = context.EventPool;
            // Rows of one file share their field-name arrays, one per combination of present columns;
            // that needs distinct names (else Set semantics) and at most 64 columns for the mask.
            _layouts = plan.DistinctNames && plan.Ops.Length + plan.ExtraCols.Length <= 64 ? new LayoutCache(plan) : null;
            // The row's values, when events are not filled in place.
            _values = new FieldValue[plan.Ops.Length + plan.ExtraCols.Length + plan.Constants.Length];
            _fast = Array.ConvertAll(plan.Ops, o => fastPaths ? o.Fast : FastPath.None);
        }

        public void Convert(CsvRowReader row)
        {
            var span = row.Row;
            if (row.OverlongReason is { } overlong)
            {
                _sink.OnRejected(new Rejection(_feedName, _file, row.LineNumber, RawForRejection(span), overlong));
                return;
            }
            if (row.HasQuotedLineEnds && !FitsHeader(row.ColCount))
            {
                Resplit(row);
                return;
            }
            if (!Accept(row, span))
            {
                return;
            }
            // The row is a slice of the reader's buffer, and so are its text values.
            var raw = row.Buffer;
            var rawStart = row.RowStart;
            var at = new RowText(raw, rawStart, span.Length);
            var ev = _layouts is null ? ToOwnEvent(row, at) : ToLayoutEvent(row, at, _layouts);
            if (ev is null)
            {
                return; // rejected
            }
            ev.SetRaw(raw, rawStart, span.Length);
            ev.Tlp = _tlp;
            ev.Id = EventId.Compute(_feedName, span);
            _sink.OnEvent(ev);
        }

        /// <summary>
        /// One value fewer than the header is a real Shadowserver quirk (an empty last column left out):
        /// that column counts as empty, as in IntelMQ, so no valid record is lost. Any other count is a
        /// broken or truncated row.
        /// </summary>
        bool FitsHeader(int colCount) => colCount == _plan.ColumnCount || colCount == _plan.ColumnCount - 1;

        /// <summary>
        /// A row over several lines whose values do not fit the header is most likely a quote left
        /// open in one line, which took the lines after it into the row: each line is read again as a
        /// row of its own, so that the broken one is rejected and the others are kept.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        void Resplit(CsvRowReader row)
        {
            var text = row.Row;
            var line = row.LineNumber;
            while (true)
            {
                var end = text.IndexOfAny('\r', '\n');
                var piece = end < 0 ? text : text[..end];
                var single = new CsvRowReader(new StringReader(piece.ToString()), line);
                if (single.MoveNext())
                {
                    Convert(single);
                }
                if (end < 0)
                {
                    return;
                }
                end += text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1;
                text = text[end..];
                line++;
                if (text.IsEmpty)
                {
                    return;
                }
            }
        }

        /// <summary>Whether the row is one to convert; blank lines are skipped, broken rows rejected with the reason.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        bool Accept(CsvRowReader row, ReadOnlySpan<char> span)
        {
            if (span.IsWhiteSpace())
            {
                return false; // blank line
            }
            var plan = _plan;
            string? reason = null;
            if (span.Length > MaxRowChars)
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"row is {span.Length} characters long; at most {MaxRowChars} are accepted");
            }
            else if (Belfry.Feeds.Text.FeedLimits.ControlCharacterReason(span) is { } binary)
            {
                reason = binary;
            }
            else if (!FitsHeader(row.ColCount))
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"expected {plan.ColumnCount} columns as in the header, found {row.ColCount}");
            }
            else if (plan.MissingRequired is not null)
            {
                reason = plan.MissingRequired;
            }

            if (reason is null)
            {
                return true;
            }
            _sink.OnRejected(new Rejection(_feedName, _file, row.LineNumber, RawForRejection(span), reason));
            return false;
        }

        /// <summary>
        /// The row as an event sharing the file's field-name layouts (the usual case), filled in place
        /// when there is a pool; null when a required value is missing or invalid (then rejected).
        /// </summary>
        Event? ToLayoutEvent(CsvRowReader row, RowText at, LayoutCache layouts)
        {
            var ops = _plan.Ops;
            var fast = _fast;
            var quotes = row.Quotes;
            var values = _values;
            ref readonly var rowStart = ref MemoryMarshal.GetReference(row.Row);
            // With a pool, values go straight into the event they will be part of.
            var filling = _pool?.RentForFill(values.Length + ExpertSlack, out values);
            // The file's constants first: feed and classification, which every expert reads, share
            // the event's first cache lines with the required fields (time, address, port).
            var constants = _plan.Constants;
            for (var i = 0; i < constants.Length; i++)
            {
                values[i] = constants[i].Value;
            }
            var n = constants.Length;
            ulong present = 0;
            ColumnOp? failed = null;
            var failedInvalid = false;
            var colCount = row.ColCount;
            for (var i = 0; i < ops.Length; i++)
            {
                var op = ops[i];
                if (fast[i] != FastPath.None && op.Col < colCount)
                {
                    // The general Convert below, in line for the common kinds of column (ColumnOp.Fast).
                    // Only a value is taken here; anything else (an empty or invalid required value,
                    // text to change) goes on to the general path, which decides the same way.
                    var s = TrimFast(ColText(row.Col(op.Col), quotes, in rowStart));
                    if (TryConvertFast(fast[i], op, s, at, in rowStart, out var fastValue))
                    {
                        values[n++] = fastValue;
                        present |= 1UL << i;
                        continue;
                    }
                    if (!op.Required && IsAbsentFast(fast[i], op, s))
                    {
                        continue;
                    }
                }
                var outcome = ShadowserverParser.Convert(op, row, at, quotes, in rowStart, out var value);
                if (outcome == Outcome.Ok)
                {
                    values[n++] = value;
                    present |= 1UL << i;
                }
                else if (IsFailure(op, outcome) && failed is null)
                {
                    failed = op;
                    failedInvalid = outcome == Outcome.Invalid;
                }
            }
            if (failed is not null && !SiblingHasValue(failed, ops, present, null))
            {
                Reject(row, failed, failedInvalid);
                if (filling is not null)
                {
                    Array.Clear(values, 0, n);
                    _pool!.Return(filling);
                }
                return null;
            }
            var extraCols = _plan.ExtraCols;
            for (var i = 0; i < extraCols.Length; i++)
            {
                if (extraCols[i] < colCount && ColText(row.Col(extraCols[i]), quotes, in rowStart) is { IsEmpty: false } text)
                {
                    // Names of unmapped columns are distinct from every mapped target.
                    values[n++] = FieldValue.Of(text.ToString());
                    present |= 1UL << (ops.Length + i);
                }
            }
            if (filling is not null)
            {
                var names = layouts.NamesFor(present, n, out var layoutId);
                filling.EndFill(names, n, layoutId);
                return filling;
            }
            // Exactly sized, with room for the fields experts add (organisation, taxonomy).
            var exact = new FieldValue[n + ExpertSlack];
            values.AsSpan(0, n).CopyTo(exact);
            return new Event(layouts.NamesFor(present, n, out _), exact, n);
        }

        /// <summary>
        /// The row as an event of its own, field by field (plans whose names repeat, or with more than
        /// 64 columns); null when a required value is missing or invalid (then rejected).
        /// </summary>
        Event? ToOwnEvent(CsvRowReader row, RowText at)
        {
            var plan = _plan;
            var ev = new Event(plan.EventCapacity);
            ref readonly var rowStart = ref MemoryMarshal.GetReference(row.Row);
            ColumnOp? failed = null;
            var failedInvalid = false;
            foreach (var op in plan.Ops)
            {
                var outcome = ShadowserverParser.Convert(op, row, at, row.Quotes, in rowStart, out var value);
                if (outcome == Outcome.Ok)
                {
                    ev.Set(op.Target, value);
                }
                else if (IsFailure(op, outcome) && failed is null)
                {
                    failed = op;
                    failedInvalid = outcome == Outcome.Invalid;
                }
            }
            if (failed is not null && !SiblingHasValue(failed, plan.Ops, 0, ev))
            {
                Reject(row, failed, failedInvalid);
                return null;
            }
            for (var i = 0; i < plan.ExtraCols.Length; i++)
            {
                if (plan.ExtraCols[i] < row.ColCount && ColText(row.Col(plan.ExtraCols[i]), row.Quotes, in rowStart) is { IsEmpty: false } text)
                {
                    ev.Append(plan.ExtraNames[i], FieldValue.Of(text.ToString()));
                }
            }
            foreach (var c in plan.Constants)
            {
                ev.Set(c.Key, c.Value);
            }
            return ev;
        }

        /// <summary>
        /// Whether a required column's outcome rejects the row. An empty required port is let through:
        /// Shadowserver leaves it empty where it does not apply (compromised_website "magecart" rows),
        /// and IntelMQ keeps those events.
        /// </summary>
        static bool IsFailure(ColumnOp op, Outcome outcome) =>
            op.Required && outcome != Outcome.Ok && (outcome == Outcome.Invalid || op.Kind != ValueKind.Port);

        [MethodImpl(MethodImplOptions.NoInlining)]
        void Reject(CsvRowReader row, ColumnOp failed, bool invalid)
        {
            var reason = invalid
                ? InvalidReason(failed, ColText(row.Col(failed.Col)))
                : $"required column '{failed.Column}' ({failed.Target}) is empty";
            _sink.OnRejected(new Rejection(_feedName, _file, row.LineNumber, RawForRejection(row.Row), reason));
        }
    }

    /// <summary>A required column may legitimately feed another field instead (blocklist: a network in "ip" is source.network).</summary>
    static bool SiblingHasValue(ColumnOp failed, ColumnOp[] ops, ulong present, Event? ev)
    {
        foreach (var s in failed.Siblings)
        {
            if (ev is not null ? ev.Contains(s.Target) : (present & (1UL << Array.IndexOf(ops, s))) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Free value slots in each event for the fields the experts add.</summary>
    const int ExpertSlack = 2;

    /// <summary>
    /// The field-name arrays of one file, one per combination of present columns (a bit mask over
    /// ops, then extra columns): the constant names, the present columns' names, then free slots that
    /// events claim when experts append the same fields (see <see cref="Event(string[], FieldValue[], int)"/>).
    /// </summary>
    sealed class LayoutCache(ShadowserverPlan plan)
    {
        /// <summary>Distinct layouts kept; real files have dozens to a thousand. Past it, each row gets its own array.</summary>
        const int MaxLayouts = 4096;

        readonly Dictionary<ulong, (string[] Names, int Id)> _layouts = [];

        /// <summary>The names array for the present columns in <paramref name="mask"/>, and its layout number (<see cref="Event.LayoutId"/>).</summary>
        public string[] NamesFor(ulong mask, int count, out int layoutId)
        {
            // Rows alternate between layouts: a direct-mapped front of the dictionary answers most.
            var slot = (int)((mask * 0x9E3779B97F4A7C15UL) >> (64 - RecentBits));
            ref var recent = ref _recent[slot];
            if (recent.Names is not null && recent.Mask == mask)
            {
                layoutId = recent.Id;
                return recent.Names;
            }
            if (!_layouts.TryGetValue(mask, out var layout))
            {
                layout = (Build(mask, count), Event.NewLayoutId());
                if (_layouts.Count >= MaxLayouts)
                {
                    layoutId = 0;
                    return layout.Names;
                }
                _layouts.Add(mask, layout);
            }
            recent = new Recent(mask, layout.Names, layout.Id);
            layoutId = layout.Id;
            return layout.Names;
        }

        const int RecentBits = 12;
        readonly Recent[] _recent = new Recent[1 << RecentBits];

        readonly record struct Recent(ulong Mask, string[]? Names, int Id);

        string[] Build(ulong mask, int count)
        {
            var ops = plan.Ops;
            var names = new string[count + ExpertSlack];
            var n = 0;
            foreach (var c in plan.Constants)
            {
                names[n++] = c.Key;
            }
            for (var i = 0; i < ops.Length; i++)
            {
                if ((mask & (1UL << i)) != 0)
                {
                    names[n++] = ops[i].Target;
                }
            }
            for (var i = 0; i < plan.ExtraNames.Length; i++)
            {
                if ((mask & (1UL << (ops.Length + i))) != 0)
                {
                    names[n++] = plan.ExtraNames[i];
                }
            }
            return names;
        }
    }

    static string RawForRejection(ReadOnlySpan<char> span) =>
        span.Length <= MaxRejectedRawChars ? span.ToString() : string.Concat(span[..MaxRejectedRawChars], "…");
}
