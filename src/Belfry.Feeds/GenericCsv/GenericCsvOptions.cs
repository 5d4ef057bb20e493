using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Core.Taxonomy;

namespace Belfry.Feeds.GenericCsv;

/// <summary>
/// How to read one CSV feed that has no parser of its own (the model is IntelMQ's generic CSV
/// parser): which column holds which IntelMQ field, by position (<see cref="Columns"/>) or by header
/// name (<see cref="ColumnsByHeader"/>). A column entry is a field name, alternatives tried in turn
/// (<c>"source.ip|source.fqdn"</c>), or <c>"__IGNORE__"</c> / empty to skip the column.
/// </summary>
public sealed record GenericCsvOptions
{
    public const string Ignore = "__IGNORE__";

    /// <summary>feed.name of the events; also the parser's name unless <see cref="ParserName"/> is set.</summary>
    public required string FeedName { get; init; }

    public string? FeedProvider { get; init; }

    public string? FeedUrl { get; init; }

    /// <summary>Name for <c>belfry ingest --feed</c>; defaults to "csv:" + <see cref="FeedName"/>.</summary>
    public string? ParserName { get; init; }

    public char Delimiter { get; init; } = ',';

    /// <summary>Whether the first non-comment line is a header (skipped, or used by <see cref="ColumnsByHeader"/>).</summary>
    public bool HasHeader { get; init; }

    /// <summary>Field of each column by position.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Field of each column by header name (needs <see cref="HasHeader"/>); used instead of <see cref="Columns"/> when set.</summary>
    public IReadOnlyDictionary<string, string>? ColumnsByHeader { get; init; }

    /// <summary>classification.type of every event (IntelMQ's "type" parameter), unless a column sets it.</summary>
    public string? ClassificationType { get; init; }

    /// <summary>
    /// How time columns are written: null for the IntelMQ rules of <see cref="FieldParsers.TryParseTime"/>,
    /// "epoch" (seconds), "epoch_millis", or a .NET custom format such as "dd/MM/yyyy HH:mm" (taken as UTC).
    /// </summary>
    public string? TimeFormat { get; init; }

    /// <summary>Skip lines whose first non-blank character is <see cref="CommentChar"/>.</summary>
    public bool SkipCommentLines { get; init; } = true;

    public char CommentChar { get; init; } = '#';

    /// <summary>Trim spaces and tabs around unquoted fields.</summary>
    public bool TrimFields { get; init; } = true;

    /// <summary>A file whose name contains this text is taken to be this feed by detection.</summary>
    public string? FileNameContains { get; init; }

    /// <summary>Checks the mapping; throws <see cref="ArgumentException"/> naming the bad entry.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeedName))
        {
            throw new ArgumentException("A generic CSV feed needs a feed name.");
        }
        if (Delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"Feed '{FeedName}': '{Delimiter}' cannot be a delimiter.");
        }
        if (ColumnsByHeader is not null && !HasHeader)
        {
            throw new ArgumentException($"Feed '{FeedName}': columns by header name need hasHeader = true.");
        }
        IReadOnlyList<string> targets = ColumnsByHeader is null ? Columns : [.. ColumnsByHeader.Values];
        if (targets.Count == 0)
        {
            throw new ArgumentException($"Feed '{FeedName}': no columns are mapped.");
        }
        foreach (var entry in targets)
        {
            foreach (var field in SplitAlternatives(entry))
            {
                if (!Fields.Known.ContainsKey(field) && !Fields.IsExtra(field))
                {
                    throw new ArgumentException($"Feed '{FeedName}': '{field}' is not an IntelMQ field (use extra.* for others).");
                }
            }
        }
        if (ClassificationType is not null && !Rsit.IsKnownType(ClassificationType))
        {
            throw new ArgumentException($"Feed '{FeedName}': '{ClassificationType}' is not a known classification.type.");
        }
    }

    internal static string[] SplitAlternatives(string? entry) =>
        string.IsNullOrWhiteSpace(entry) || entry.Trim() == Ignore
            ? []
            : entry.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads a mapping file (JSON; see <see cref="FromJson"/>).</summary>
    public static GenericCsvOptions Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Parses a mapping such as
    /// <c>{"feedName":"X","delimiter":"\t","hasHeader":false,"columns":["time.source","__IGNORE__","source.ip"],"classificationType":"scanner"}</c>;
    /// "columns" may also be an object from header name to field. Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static GenericCsvOptions FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("not valid JSON: " + ex.Message, ex);
        }
        using (doc)
        {
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("the mapping must be a JSON object.");
            }
            var options = new GenericCsvOptions
            {
                FeedName = String(o, "feedName") ?? throw new InvalidDataException("'feedName' is required."),
                FeedProvider = String(o, "feedProvider"),
                FeedUrl = String(o, "feedUrl"),
                ParserName = String(o, "parserName"),
                Delimiter = Char(o, "delimiter") ?? ',',
                HasHeader = Bool(o, "hasHeader") ?? false,
                ClassificationType = String(o, "classificationType"),
                TimeFormat = String(o, "timeFormat"),
                SkipCommentLines = Bool(o, "skipCommentLines") ?? true,
                CommentChar = Char(o, "commentChar") ?? '#',
                TrimFields = Bool(o, "trimFields") ?? true,
                FileNameContains = String(o, "fileNameContains"),
            };
            if (!o.TryGetProperty("columns", out var cols))
            {
                throw new InvalidDataException("'columns' is required.");
            }
            if (cols.ValueKind == JsonValueKind.Array)
            {
                var list = new List<string>();
                foreach (var c in cols.EnumerateArray())
                {
                    list.Add(c.ValueKind == JsonValueKind.Null ? Ignore : c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new InvalidDataException("'columns' entries must be strings."));
                }
                options = options with { Columns = list };
            }
            else if (cols.ValueKind == JsonValueKind.Object)
            {
                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var p in cols.EnumerateObject())
                {
                    map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidDataException($"column '{p.Name}': the field must be a string.");
                }
                options = options with { ColumnsByHeader = map };
            }
            else
            {
                throw new InvalidDataException("'columns' must be an array or an object.");
            }
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException(ex.Message, ex);
            }
            return options;
        }
    }

    static string? String(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new InvalidDataException($"'{name}' must be a string.");

    static bool? Bool(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw new InvalidDataException($"'{name}' must be true or false.");

    static char? Char(JsonElement o, string name) =>
        String(o, name) switch
        {
            null => null,
            { Length: 1 } s => s[0],
            "\\t" or "tab" => '\t',
            _ => throw new InvalidDataException($"'{name}' must be one character."),
        };
}
