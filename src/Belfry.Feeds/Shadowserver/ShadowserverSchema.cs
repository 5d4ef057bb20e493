using System.Text.Json;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// A conversion function named in Shadowserver's IntelMQ schema (<c>intelmq.json</c>), applied to a
/// column value before it becomes an event field. Names the schema uses that Belfry does not know
/// load as <see cref="Unknown"/> and pass the value through unchanged.
/// </summary>
public enum ShadowserverConversion
{
    None,
    Unknown,
    ValidateToNone,
    ConvertInt,
    ConvertFloat,
    ConvertBool,
    ConvertDate,
    ConvertDateUtc,
    AddUtcToTimestamp,
    ValidateIp,
    ValidateNetwork,
    ValidateFqdn,
    InvalidateZero,
    ExtractCveFromTag,
    ForceBase64,
    ConvertHttpHostAndUrl,
    CategoryOrDetail,
    ScanExchangeTaxonomy,
    ScanExchangeType,
    ScanExchangeIdentifier,
}

/// <summary>One column-to-field mapping: <c>[intelmq_field, column, conversion?, args...]</c>.</summary>
/// <param name="Field">IntelMQ field name; the bare <c>"extra."</c> means <c>extra.&lt;column&gt;</c>.</param>
/// <param name="Column">CSV column name.</param>
/// <param name="Conversion">Conversion applied to the value.</param>
/// <param name="ConversionName">The conversion as named in the schema, or null.</param>
/// <param name="Arguments">Extra schema arguments (as text).</param>
public sealed record ShadowserverFieldMapping(string Field, string Column, ShadowserverConversion Conversion, string? ConversionName, IReadOnlyList<string> Arguments)
{
    /// <summary>The event field this mapping writes: <see cref="Field"/>, or <c>extra.&lt;column&gt;</c> for the bare <c>"extra."</c>.</summary>
    public string TargetField { get; } = Field == "extra." ? string.Intern("extra." + Column) : string.Intern(Field);
}

/// <summary>One Shadowserver report type as described by the schema.</summary>
public sealed class ShadowserverReport
{
    internal ShadowserverReport(string key, string fileName, string feedName, string? url, IReadOnlyList<KeyValuePair<string, string>> constantFields,
        IReadOnlyList<ShadowserverFieldMapping> requiredFields, IReadOnlyList<ShadowserverFieldMapping> optionalFields)
    {
        Key = key;
        FileName = fileName;
        FeedName = feedName;
        Url = url;
        ConstantFields = constantFields;
        RequiredFields = requiredFields;
        OptionalFields = optionalFields;
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in requiredFields)
        {
            if (seen.Add(m.Column))
            {
                columns.Add(m.Column);
            }
        }
        foreach (var m in optionalFields)
        {
            if (seen.Add(m.Column))
            {
                columns.Add(m.Column);
            }
        }
        Columns = columns;
        ColumnSet = seen;
    }

    /// <summary>The schema's key for the report (e.g. <c>event_sinkhole</c>).</summary>
    public string Key { get; }

    /// <summary>The report type as it appears in file names (e.g. <c>event4_sinkhole</c>, <c>scan_http</c>).</summary>
    public string FileName { get; }

    /// <summary>IntelMQ feed name (e.g. <c>Accessible-HTTP</c>); becomes feed.name.</summary>
    public string FeedName { get; }

    /// <summary>Report documentation page; becomes feed.documentation.</summary>
    public string? Url { get; }

    public IReadOnlyList<KeyValuePair<string, string>> ConstantFields { get; }

    public IReadOnlyList<ShadowserverFieldMapping> RequiredFields { get; }

    public IReadOnlyList<ShadowserverFieldMapping> OptionalFields { get; }

    /// <summary>Every column the mappings use, required ones first, each once, in schema order.</summary>
    public IReadOnlyList<string> Columns { get; }

    internal HashSet<string> ColumnSet { get; }

    public override string ToString() => FileName;
}

/// <summary>
/// Shadowserver's feed schema: per report type its file-name key, feed name, documentation URL,
/// constant fields and column mappings. Belfry ships these facts in its own form
/// (<see cref="BuiltIn"/>, compiled from the <c>intelmq.json</c> Shadowserver publishes by
/// <see cref="ShadowserverFacts"/>); a newer <c>intelmq.json</c> loads with <see cref="Load(string)"/>.
/// </summary>
public sealed class ShadowserverSchema
{
    static readonly Lazy<ShadowserverSchema> s_builtIn = new(ShadowserverFacts.LoadBuiltIn);

    readonly Dictionary<string, ShadowserverReport> _byName;

    internal ShadowserverSchema(List<ShadowserverReport> reports, string? created, string source)
    {
        Reports = reports;
        Created = created;
        Source = source;
        _byName = new Dictionary<string, ShadowserverReport>(StringComparer.OrdinalIgnoreCase);
        // File-name keys win over schema keys, which win over feed names (several reports may share a feed name).
        foreach (var r in reports)
        {
            _byName.TryAdd(r.FileName, r);
        }
        foreach (var r in reports)
        {
            _byName.TryAdd(r.Key, r);
        }
        foreach (var r in reports)
        {
            _byName.TryAdd(r.FeedName, r);
        }
    }

    public IReadOnlyList<ShadowserverReport> Reports { get; }

    /// <summary>The schema's <c>_meta.date_created</c>, when present.</summary>
    public string? Created { get; }

    /// <summary>Where the schema came from: a file path, a URL, or the built-in facts and the digest of the schema they were compiled from.</summary>
    public string Source { get; }

    /// <summary>The report-format facts that ship inside Belfry (loaded once, on first use).</summary>
    public static ShadowserverSchema BuiltIn => s_builtIn.Value;

    /// <summary>Finds a report by file-name key (<c>scan_http</c>), schema key or feed name (<c>Accessible-HTTP</c>), ignoring case.</summary>
    public bool TryGetReport(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ShadowserverReport? report) =>
        _byName.TryGetValue(name.Trim(), out report);

    public ShadowserverReport GetReport(string name) =>
        TryGetReport(name, out var r) ? r : throw new KeyNotFoundException($"Shadowserver schema has no report type '{name}'.");

    public static ShadowserverSchema Load(string path)
    {
        using var s = File.OpenRead(path);
        try
        {
            return Load(s, Path.GetFullPath(path));
        }
        catch (FeedFormatException e)
        {
            throw new FeedFormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Loads an <c>intelmq.json</c> schema; <paramref name="source"/> says where it came from.</summary>
    public static ShadowserverSchema Load(Stream stream, string source = "(stream)")
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new FeedFormatException($"Shadowserver schema is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FeedFormatException("Shadowserver schema: the top level must be an object of report types.");
            }
            var reports = new List<ShadowserverReport>();
            string? created = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "_meta")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("date_created", out var dc) && dc.ValueKind == JsonValueKind.String)
                    {
                        created = dc.GetString();
                    }
                    continue;
                }
                reports.Add(ReadReport(p.Name, p.Value));
            }
            return new ShadowserverSchema(reports, created, source);
        }
    }

    static ShadowserverReport ReadReport(string key, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FeedFormatException($"Shadowserver schema: report '{key}' is not an object.");
        }
        var fileName = GetString(e, "file_name") ?? key;
        var feedName = GetString(e, "feed_name") ?? throw new FeedFormatException($"Shadowserver schema: report '{key}' has no feed_name.");
        var constants = new List<KeyValuePair<string, string>>();
        if (e.TryGetProperty("constant_fields", out var cf) && cf.ValueKind == JsonValueKind.Object)
        {
            foreach (var c in cf.EnumerateObject())
            {
                constants.Add(new(string.Intern(c.Name), c.Value.ValueKind == JsonValueKind.String ? c.Value.GetString()! : c.Value.GetRawText()));
            }
        }
        return new ShadowserverReport(key, fileName, feedName, GetString(e, "url"), constants, ReadMappings(key, e, "required_fields"), ReadMappings(key, e, "optional_fields"));
    }

    static List<ShadowserverFieldMapping> ReadMappings(string key, JsonElement e, string property)
    {
        var list = new List<ShadowserverFieldMapping>();
        if (!e.TryGetProperty(property, out var arr))
        {
            return list;
        }
        if (arr.ValueKind != JsonValueKind.Array)
        {
            throw new FeedFormatException($"Shadowserver schema: '{key}'.{property} is not an array.");
        }
        foreach (var m in arr.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Array || m.GetArrayLength() < 2 || m[0].ValueKind != JsonValueKind.String || m[1].ValueKind != JsonValueKind.String)
            {
                throw new FeedFormatException($"Shadowserver schema: '{key}'.{property} has an entry that is not [field, column, ...]: {Truncate(m.GetRawText())}");
            }
            string? convName = null;
            var args = new List<string>();
            var i = 0;
            foreach (var item in m.EnumerateArray())
            {
                if (i == 2)
                {
                    convName = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                }
                else if (i > 2)
                {
                    args.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                }
                i++;
            }
            list.Add(new ShadowserverFieldMapping(m[0].GetString()!, m[1].GetString()!, ParseConversion(convName), convName, args));
        }
        return list;
    }

    /// <summary>Maps a conversion name of the schema to its enum value.</summary>
    public static ShadowserverConversion ParseConversion(string? name) => name switch
    {
        null or "" => ShadowserverConversion.None,
        "validate_to_none" => ShadowserverConversion.ValidateToNone,
        "convert_int" => ShadowserverConversion.ConvertInt,
        "convert_float" => ShadowserverConversion.ConvertFloat,
        "convert_bool" => ShadowserverConversion.ConvertBool,
        "convert_date" => ShadowserverConversion.ConvertDate,
        "convert_date_utc" => ShadowserverConversion.ConvertDateUtc,
        "add_UTC_to_timestamp" => ShadowserverConversion.AddUtcToTimestamp,
        "validate_ip" => ShadowserverConversion.ValidateIp,
        "validate_network" => ShadowserverConversion.ValidateNetwork,
        "validate_fqdn" => ShadowserverConversion.ValidateFqdn,
        "invalidate_zero" => ShadowserverConversion.InvalidateZero,
        "extract_cve_from_tag" => ShadowserverConversion.ExtractCveFromTag,
        "force_base64" => ShadowserverConversion.ForceBase64,
        "convert_http_host_and_url" => ShadowserverConversion.ConvertHttpHostAndUrl,
        "category_or_detail" => ShadowserverConversion.CategoryOrDetail,
        "scan_exchange_taxonomy" => ShadowserverConversion.ScanExchangeTaxonomy,
        "scan_exchange_type" => ShadowserverConversion.ScanExchangeType,
        "scan_exchange_identifier" => ShadowserverConversion.ScanExchangeIdentifier,
        _ => ShadowserverConversion.Unknown,
    };

    static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static string Truncate(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 80), "…");
}
