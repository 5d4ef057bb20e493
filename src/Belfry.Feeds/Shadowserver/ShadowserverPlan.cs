using Belfry.Core.Events;

namespace Belfry.Feeds.Shadowserver;

/// <summary>The typed form a mapped value takes in the event.</summary>
internal enum ValueKind : byte
{
    Text,
    Lower,
    Address,
    Prefix,
    Time,
    Port,
    Asn,
    Fqdn,
    Url,
    CountryCode,
    Integer,
    Float,
    Boolean,
}

/// <summary>The in-line conversion a column gets in the row loop; <see cref="None"/> goes through the general one.</summary>
internal enum FastPath : byte
{
    None,
    Text,
    Number,
    Time,
    Address,
    CountryCode,
    Fqdn,
}

/// <summary>One schema mapping resolved against one file's header: everything the row loop needs, computed once.</summary>
internal sealed class ColumnOp
{
    public required int Col { get; init; }
    public required string Column { get; init; }
    public required string Target { get; init; }
    public required ShadowserverConversion Conversion { get; init; }
    public required ValueKind Kind { get; init; }
    public required bool Required { get; init; }

    /// <summary>For a required op: other ops reading the same column (blocklist: "ip" is source.ip or source.network).</summary>
    public ColumnOp[] Siblings { get; set; } = [];

    // Row-context columns for convert_http_host_and_url and category_or_detail (-1 when absent).
    public int ApplicationCol { get; init; } = -1;
    public int HttpHostCol { get; init; } = -1;
    public int UrlCol { get; init; } = -1;
    public int HttpUrlCol { get; init; } = -1;
    public int DstPortCol { get; init; } = -1;
    public int DetailCol { get; init; } = -1;

    public string? InvalidReason { get; set; }

    /// <summary>How the row loop converts this column in line (see <see cref="Fast"/>); computed once.</summary>
    public FastPath Fast => _fast ??= FastPathOf(Kind, Conversion);

    FastPath? _fast;

    /// <summary>
    /// The common columns of a report (text, numbers, times, addresses, country codes, host names)
    /// with a conversion that does nothing before the value is validated by its kind, or that only
    /// turns a value into "nothing" (validate_to_none for text, invalidate_zero for numbers).
    /// </summary>
    static FastPath FastPathOf(ValueKind kind, ShadowserverConversion conversion)
    {
        var plain = conversion is ShadowserverConversion.None or ShadowserverConversion.Unknown or
            ShadowserverConversion.ConvertInt or ShadowserverConversion.ConvertFloat or ShadowserverConversion.ConvertBool or
            ShadowserverConversion.ConvertDate or ShadowserverConversion.ConvertDateUtc or ShadowserverConversion.AddUtcToTimestamp or
            ShadowserverConversion.ValidateFqdn;
        return kind switch
        {
            ValueKind.Text or ValueKind.Lower when plain || conversion == ShadowserverConversion.ValidateToNone => FastPath.Text,
            ValueKind.Port or ValueKind.Asn or ValueKind.Integer when plain || conversion == ShadowserverConversion.InvalidateZero => FastPath.Number,
            ValueKind.Time when plain => FastPath.Time,
            ValueKind.Address when plain || conversion == ShadowserverConversion.ValidateIp => FastPath.Address,
            ValueKind.CountryCode when plain => FastPath.CountryCode,
            ValueKind.Fqdn when plain => FastPath.Fqdn,
            _ => FastPath.None,
        };
    }
}

/// <summary>The per-file parse plan: column ops, unknown columns kept as extra.*, constant field values.</summary>
internal sealed class ShadowserverPlan
{
    public required ShadowserverReport Report { get; init; }
    public required int ColumnCount { get; init; }
    public required ColumnOp[] Ops { get; init; }
    public required int[] ExtraCols { get; init; }
    public required string[] ExtraNames { get; init; }
    public required KeyValuePair<string, FieldValue>[] Constants { get; init; }

    /// <summary>Set when a required column is missing from the header: every row is rejected with it.</summary>
    public string? MissingRequired { get; init; }

    public int EventCapacity => Ops.Length + ExtraCols.Length + Constants.Length + 1;

    /// <summary>Every op target, extra column name and constant name differs: rows can be appended without lookups.</summary>
    public bool DistinctNames { get; init; }

    public static ShadowserverPlan Build(ShadowserverReport report, IReadOnlyList<string> header, DateTime observation)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            index.TryAdd(header[i], i);
        }
        int Col(string name) => index.TryGetValue(name, out var i) ? i : -1;

        var used = new bool[header.Count];
        var ops = new List<ColumnOp>();
        string? missing = null;
        foreach (var (mappings, required) in new[] { (report.RequiredFields, true), (report.OptionalFields, false) })
        {
            foreach (var m in mappings)
            {
                var col = Col(m.Column);
                if (col < 0)
                {
                    if (required)
                    {
                        missing ??= $"required column '{m.Column}' ({m.TargetField}) is not in the header";
                    }
                    continue; // an old layout without this column: the field is simply absent
                }
                used[col] = true;
                var target = m.TargetField;
                var extra = Fields.IsExtra(target);
                Fields.Type type = default;
                if (!extra && !Fields.Known.TryGetValue(target, out type))
                {
                    // Not an IntelMQ field (e.g. product.name): kept under extra.*, as IntelMQ does.
                    target = string.Intern(Fields.ExtraPrefix + target);
                    extra = true;
                }
                var kind = extra ? KindOfConversion(m.Conversion) : KindOfType(type, m.Conversion);
                ops.Add(new ColumnOp
                {
                    Col = col,
                    Column = m.Column,
                    Target = target,
                    Conversion = m.Conversion,
                    Kind = kind,
                    Required = required,
                    ApplicationCol = Col("application"),
                    HttpHostCol = Col("http_host"),
                    UrlCol = Col("url"),
                    HttpUrlCol = Col("http_url"),
                    DstPortCol = Col("dst_port"),
                    DetailCol = Col("detail"),
                });
            }
        }
        var opArray = ops.ToArray();
        foreach (var op in opArray)
        {
            if (op.Required)
            {
                op.Siblings = Array.FindAll(opArray, o => o != op && o.Col == op.Col);
            }
        }

        // Columns the schema does not know (older layouts: sic, ...) become extra.<column> as text, like IntelMQ.
        // The names come from the file, so they are made once per file, not interned process-wide.
        var extraCols = new List<int>();
        var extraNames = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            if (!used[i] && header[i].Length > 0)
            {
                extraCols.Add(i);
                extraNames.Add(Fields.ExtraPrefix + header[i]);
            }
        }

        var constants = new List<KeyValuePair<string, FieldValue>>
        {
            new(Fields.FeedName, FieldValue.Of(report.FeedName)),
            new(Fields.FeedProvider, FieldValue.Of("Shadowserver")),
        };
        if (report.Url is not null)
        {
            constants.Add(new(Fields.FeedDocumentation, FieldValue.Of(report.Url)));
        }
        constants.Add(new(Fields.TimeObservation, FieldValue.Of(DateTime.SpecifyKind(observation, DateTimeKind.Utc))));
        foreach (var c in report.ConstantFields)
        {
            var name = c.Key;
            if (!Fields.IsExtra(name) && !Fields.Known.ContainsKey(name))
            {
                name = string.Intern(Fields.ExtraPrefix + name);
            }
            var value = FieldParsers.TryParseField(name, c.Value, out var v, out _) ? v : FieldValue.Of(c.Value);
            constants.Add(new(name, value));
        }

        var allNames = new HashSet<string>(StringComparer.Ordinal);
        var distinct = opArray.All(o => allNames.Add(o.Target)) && extraNames.All(allNames.Add) && constants.All(c => allNames.Add(c.Key));

        return new ShadowserverPlan
        {
            DistinctNames = distinct,
            Report = report,
            ColumnCount = header.Count,
            Ops = opArray,
            ExtraCols = [.. extraCols],
            ExtraNames = [.. extraNames],
            Constants = [.. constants],
            MissingRequired = missing,
        };
    }

    internal static ValueKind KindOfType(Fields.Type type, ShadowserverConversion conversion) => type switch
    {
        Fields.Type.Address => ValueKind.Address,
        Fields.Type.Prefix => ValueKind.Prefix,
        Fields.Type.Time => ValueKind.Time,
        Fields.Type.Port => ValueKind.Port,
        Fields.Type.Asn => ValueKind.Asn,
        Fields.Type.Fqdn => ValueKind.Fqdn,
        Fields.Type.Url => ValueKind.Url,
        Fields.Type.CountryCode => ValueKind.CountryCode,
        Fields.Type.Lower => ValueKind.Lower,
        Fields.Type.Integer => ValueKind.Integer,
        Fields.Type.Float => ValueKind.Float,
        Fields.Type.Boolean => ValueKind.Boolean,
        _ => KindOfConversion(conversion),
    };

    /// <summary>extra.* fields take the type their conversion gives (IntelMQ keeps the Python type in JSON).</summary>
    internal static ValueKind KindOfConversion(ShadowserverConversion conversion) => conversion switch
    {
        ShadowserverConversion.ConvertInt or ShadowserverConversion.InvalidateZero => ValueKind.Integer,
        ShadowserverConversion.ConvertFloat => ValueKind.Float,
        ShadowserverConversion.ConvertBool => ValueKind.Boolean,
        ShadowserverConversion.ConvertDate or ShadowserverConversion.ConvertDateUtc or ShadowserverConversion.AddUtcToTimestamp => ValueKind.Time,
        ShadowserverConversion.ValidateIp => ValueKind.Address,
        ShadowserverConversion.ValidateNetwork => ValueKind.Prefix,
        ShadowserverConversion.ValidateFqdn => ValueKind.Fqdn,
        ShadowserverConversion.ConvertHttpHostAndUrl => ValueKind.Url,
        _ => ValueKind.Text,
    };
}
