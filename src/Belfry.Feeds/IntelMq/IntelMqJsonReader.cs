using System.Text;
using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.IntelMq;

/// <summary>
/// IntelMQ events as JSON lines (the file output bot's format): one flat object per line with dotted
/// keys ("source.ip", "classification.type", "extra.x"), "raw" base64-encoded. Values of known fields
/// are checked and typed through <see cref="FieldParsers.TryParseField"/>; extra.* values keep their
/// JSON type (integers, floats, booleans, text; objects and arrays as their JSON text). The id is
/// computed from feed.name and the decoded raw, so an event that went through IntelMQ keeps the id
/// Belfry gave its record.
/// </summary>
/// <remarks>
/// Input rules: the input may only raise the TLP given for it (<see cref="FeedContext.Tlp"/>, e.g.
/// <c>belfry ingest --tlp</c>): an event's "tlp" is the stricter of the two, so a file cannot make its
/// events shareable more widely than the person who ingests it said. An "extra.organisation" in the
/// input is not trusted and not kept as a field (it stays in the raw line): which organisation an
/// event is about is decided by the constituency (<c>ConstituencyExpert</c>), never by the input.
/// </remarks>
public sealed class IntelMqJsonReader : IFeedParser
{
    public const string ParserName = "intelmq-jsonl";

    public string Name => ParserName;

    public string Description => "IntelMQ events as JSON lines (flat dotted keys, base64 raw)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("intelmq", StringComparison.OrdinalIgnoreCase) &&
            (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        var head = probe.Head.AsSpan().TrimStart("\uFEFF \t\r\n");
        return head.StartsWith("{") &&
            (probe.Head.Contains("\"feed.name\"", StringComparison.Ordinal) || probe.Head.Contains("\"classification.type\"", StringComparison.Ordinal) ||
             probe.Head.Contains("\"time.observation\"", StringComparison.Ordinal));
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(new FeedInfo(ParserName, null, null), context, sink);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var observation = FeedRun.ToUtc(context.ObservationTime);
        using var lines = new LineReader(input);
        // JSON lines have no comment lines: every non-blank line is a record.
        while (lines.TryReadDataLine(run, null, null, cancellationToken, out var line, out _))
        {
            var text = line.ToString();
            if (!JsonValues.TryParseObject(text, out var doc, out var error))
            {
                run.Reject(lines.LineNumber, text, error!);
                continue;
            }
            using (doc)
            {
                if (TryRead(doc!.RootElement, text, context, observation, names, out var e, out error))
                {
                    run.Emit(e!);
                }
                else
                {
                    run.Reject(lines.LineNumber, text, error!);
                }
            }
        }
    }

    /// <summary>Reads one IntelMQ event object (as in the expected-output files of IntelMQ's tests).</summary>
    public static bool TryRead(JsonElement o, string line, FeedContext context, out Event? e, out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        return TryRead(o, line, context, FeedRun.ToUtc(context.ObservationTime), new Dictionary<string, string>(StringComparer.Ordinal), out e, out error);
    }

    static bool TryRead(JsonElement o, string line, FeedContext context, DateTime observation, Dictionary<string, string> names, out Event? e, out string? error)
    {
        e = new Event(Math.Max(16, CountProperties(o))) { Tlp = context.Tlp };
        error = null;
        foreach (var p in o.EnumerateObject())
        {
            if (!TryAdd(e, p.Name, p.Value, names, out error))
            {
                return false;
            }
        }
        if (!e.Contains(Fields.TimeObservation))
        {
            e.Set(Fields.TimeObservation, observation);
        }
        e.Raw ??= line;
        e.Id = EventId.Compute(e.GetText(Fields.FeedName) ?? ParserName, e.Raw);
        return true;
    }

    /// <summary>The stricter of two markings (TLP levels are ordered from CLEAR to RED).</summary>
    static Tlp Stricter(Tlp a, Tlp b) => (Tlp)Math.Max((int)a, (int)b);

    static int CountProperties(JsonElement o)
    {
        var n = 0;
        foreach (var _ in o.EnumerateObject())
        {
            n++;
        }
        return n;
    }

    static bool TryAdd(Event e, string name, JsonElement v, Dictionary<string, string> names, out string? error)
    {
        error = null;
        if (v.ValueKind == JsonValueKind.Null || name == "__type")
        {
            return true;
        }
        switch (name)
        {
            case Fields.Raw:
                return TryDecodeRaw(e, v, out error);
            case Fields.Tlp:
                if (v.ValueKind != JsonValueKind.String || !TlpNames.TryParse(v.GetString(), out var tlp))
                {
                    error = $"invalid tlp: '{FieldParsers.Truncate(v.GetRawText())}'";
                    return false;
                }
                // Only raised: the stricter of the input's marking and the one given for the input.
                e.Tlp = Stricter(e.Tlp, tlp);
                return true;
            case Fields.ExtraOrganisation:
                // Not trusted: the constituency decides the organisation (see the remarks).
                return true;
            case "extra" when v.ValueKind == JsonValueKind.Object:
                // Hierarchical form: "extra": {"a": 1} is "extra.a": 1.
                foreach (var p in v.EnumerateObject())
                {
                    if (!TryAdd(e, "extra." + p.Name, p.Value, names, out error))
                    {
                        return false;
                    }
                }
                return true;
            default:
                break;
        }
        name = Intern(names, name);
        if (Fields.IsExtra(name))
        {
            e.Set(name, ExtraValue(v));
            return true;
        }
        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (text is null)
        {
            error = $"{name}: a {v.ValueKind} is not a field value";
            return false;
        }
        if (!FieldParsers.TryParseField(name, text, out var value, out error))
        {
            return false;
        }
        e.Set(name, value);
        return true;
    }

    /// <summary>extra.* keeps the JSON type: integer, float, boolean, text, or the JSON text of an object or array.</summary>
    internal static FieldValue ExtraValue(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetInt64(out var n) => FieldValue.Of(n),
        JsonValueKind.Number when v.TryGetDouble(out var d) => FieldValue.Of(d),
        JsonValueKind.True => FieldValue.Of(true),
        JsonValueKind.False => FieldValue.Of(false),
        JsonValueKind.String => FieldValue.Of(v.GetString()!),
        _ => FieldValue.Of(v.GetRawText()),
    };

    static bool TryDecodeRaw(Event e, JsonElement v, out string? error)
    {
        error = null;
        if (v.ValueKind != JsonValueKind.String || !v.TryGetBytesFromBase64(out var bytes))
        {
            error = "raw is not base64";
            return false;
        }
        try
        {
            e.Raw = s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Not text (IntelMQ raw can be any bytes): keep it in the form IntelMQ gave it.
            e.Raw = v.GetString();
        }
        return true;
    }

    static readonly UTF8Encoding s_strictUtf8 = new(false, true);

    static string Intern(Dictionary<string, string> names, string name)
    {
        if (names.TryGetValue(name, out var interned))
        {
            return interned;
        }
        if (names.Count < 4096)
        {
            names[name] = name;
        }
        return name;
    }
}
