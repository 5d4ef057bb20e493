using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Belfry.Core.Events;

namespace Belfry.Feeds.IntelMq;

/// <summary>
/// Writes events as IntelMQ JSON (one flat object, keys sorted, "raw" base64-encoded, integers and
/// floats as JSON numbers, times as "2018-04-19T00:02:26+00:00"), plus "tlp" and, when the event
/// has one, "extra.organisation". <see cref="IntelMqJsonReader"/> reads it back to an equal event.
/// </summary>
public static class IntelMqJsonWriter
{
    /// <summary>Writer options for IntelMQ output: no escaping of '+' or non-ASCII letters, no indentation.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static void Write(Event e, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(writer);
        var count = e.Count;
        var order = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        var n = 0;
        for (var i = 0; i < count; i++)
        {
            var name = e.NameAt(i);
            if (name is Fields.Raw or Fields.Tlp || (name == Fields.ExtraOrganisation && e.Organisation is not null))
            {
                continue;
            }
            order[n++] = i;
        }
        var span = order.AsSpan(0, n);
        span.Sort((a, b) => string.CompareOrdinal(e.NameAt(a), e.NameAt(b)));
        writer.WriteStartObject();
        // The three added keys go in sorted position too: "extra.organisation" < "raw" < "tlp".
        var extraOrgDone = e.Organisation is null;
        var rawDone = !e.HasRaw;
        var tlpDone = false;
        foreach (var i in span)
        {
            var name = e.NameAt(i);
            WriteAddedBefore(e, writer, name, ref extraOrgDone, ref rawDone, ref tlpDone);
            WriteValue(writer, name, e.ValueAt(i));
        }
        WriteAddedBefore(e, writer, null, ref extraOrgDone, ref rawDone, ref tlpDone);
        writer.WriteEndObject();
        ArrayPool<int>.Shared.Return(order);
    }

    static void WriteAddedBefore(Event e, Utf8JsonWriter w, string? next, ref bool extraOrgDone, ref bool rawDone, ref bool tlpDone)
    {
        if (!extraOrgDone && (next is null || string.CompareOrdinal(Fields.ExtraOrganisation, next) < 0))
        {
            w.WriteString(Fields.ExtraOrganisation, e.Organisation);
            extraOrgDone = true;
        }
        if (!rawDone && (next is null || string.CompareOrdinal(Fields.Raw, next) < 0))
        {
            var raw = e.RawSpan;
            var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(raw.Length));
            var n = Encoding.UTF8.GetBytes(raw, utf8);
            w.WriteBase64String(Fields.Raw, utf8.AsSpan(0, n));
            ArrayPool<byte>.Shared.Return(utf8);
            rawDone = true;
        }
        if (!tlpDone && (next is null || string.CompareOrdinal(Fields.Tlp, next) < 0))
        {
            w.WriteString(Fields.Tlp, e.Tlp.ToLabel());
            tlpDone = true;
        }
    }

    static void WriteValue(Utf8JsonWriter w, string name, FieldValue v)
    {
        switch (v.Kind)
        {
            case FieldKind.Integer:
                w.WriteNumber(name, v.Integer);
                break;
            case FieldKind.Float:
                // Keep a decimal point, so an integral float reads back as a float, not an integer.
                var f = v.Float.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                w.WritePropertyName(name);
                w.WriteRawValue(f.AsSpan().ContainsAny('.', 'E', 'e') ? f : f + ".0");
                break;
            case FieldKind.Boolean:
                w.WriteBoolean(name, v.Boolean);
                break;
            case FieldKind.None:
                w.WriteNull(name);
                break;
            default:
                w.WriteString(name, v.ToString());
                break;
        }
    }

    /// <summary>Writes one event and a newline (JSON lines).</summary>
    public static void WriteLine(Event e, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            Write(e, writer);
        }
        stream.WriteByte((byte)'\n');
    }

    /// <summary>One event as a JSON text (no newline).</summary>
    public static string ToJson(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(e, writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
