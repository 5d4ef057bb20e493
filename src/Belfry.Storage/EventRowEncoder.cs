using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Belfry.Core.Events;

namespace Belfry.Storage;

/// <summary>
/// Encodes events into an <see cref="EncodedEventBatch"/> on the producer's thread: the indexed
/// columns, the <see cref="EventCodec"/> field blob and the raw record as UTF-8. It assigns symbol
/// ids from its own <see cref="SymbolTable"/>, started from a copy of its store's table, so it
/// never waits for the store; the store persists the new symbols in the transaction of the first
/// rows that use them (and re-encodes in the rare case another writer took those ids meanwhile).
/// One thread at a time.
/// </summary>
public sealed class EventRowEncoder
{
    internal const byte FlagTimeSource = 1, FlagSourceIp = 2, FlagSourceAsn = 4;

    /// <summary>An encoder whose symbol ids continue <paramref name="symbols"/>, which it then owns.</summary>
    public EventRowEncoder(SymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        Symbols = symbols;
        BaseSymbolCount = symbols.Count;
    }

    /// <summary>The encoder's symbol table (ids of the rows it wrote).</summary>
    public SymbolTable Symbols { get; }

    /// <summary>Symbols the table had when the encoder was made (the store's at the time).</summary>
    public int BaseSymbolCount { get; }

    /// <summary>Appends <paramref name="e"/> as one row of <paramref name="batch"/>.</summary>
    public void Append(Event e, EncodedEventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Encoder is null)
        {
            batch.Encoder = this;
        }
        else if (!ReferenceEquals(batch.Encoder, this))
        {
            throw new InvalidOperationException("A batch holds the rows of one encoder.");
        }

        var (timeSource, timeObservation, feed, type, sourceIp, sourceAsn) = IndexedColumns.Of(e);
        var feedText = TextOf(feed, out var feedString);
        var typeText = TextOf(type, out var typeString);
        var raw = e.RawSpan;
        var hasRaw = e.HasRaw;
        var org = e.Organisation;
        var max = 16 + 1 + 8 + 8 + 16 + 8 + 1
            + MaxOptional(feedText.Length) + MaxOptional(typeText.Length) + MaxOptional(org?.Length ?? 0)
            + 5 + EventCodec.MaxEncodedLength(e)
            + MaxOptional(raw.Length);
        var dest = batch.Reserve(max);
        e.Id.WriteBytes(dest);
        var pos = 16;
        var hasTimeSource = timeSource is { } ts && ts != long.MinValue;
        var hasSourceIp = sourceIp.Kind == FieldKind.Address;
        var hasSourceAsn = sourceAsn.Kind == FieldKind.Integer;
        dest[pos++] = (byte)((hasTimeSource ? FlagTimeSource : 0) | (hasSourceIp ? FlagSourceIp : 0) | (hasSourceAsn ? FlagSourceAsn : 0));
        if (hasTimeSource)
        {
            BinaryPrimitives.WriteInt64LittleEndian(dest[pos..], timeSource!.Value);
            pos += 8;
        }
        if (hasSourceIp)
        {
            // Big-endian, IPv4 mapped: the store compares addresses and prefixes as bytes.
            BinaryPrimitives.WriteUInt128BigEndian(dest[pos..], sourceIp.Address.Value);
            pos += 16;
        }
        if (hasSourceAsn)
        {
            BinaryPrimitives.WriteInt64LittleEndian(dest[pos..], sourceAsn.Integer);
            pos += 8;
        }
        BinaryPrimitives.WriteInt64LittleEndian(dest[pos..], timeObservation is { } to and not long.MinValue ? to : DateTime.UtcNow.Ticks);
        pos += 8;
        dest[pos++] = (byte)e.Tlp;
        pos += WriteOptional(dest[pos..], feedString ?? string.Empty, feedText);
        pos += WriteOptional(dest[pos..], typeString, typeText);
        pos += WriteOptional(dest[pos..], org, org);

        // The blob behind a length: encode after the longest varint, then close the gap.
        var blob = dest[(pos + 5)..];
        var n = EventCodec.Encode(e, blob, Symbols);
        var lengthBytes = WriteVarint(dest[pos..], (ulong)n);
        if (lengthBytes != 5)
        {
            blob[..n].CopyTo(dest[(pos + lengthBytes)..]);
        }
        pos += lengthBytes + n;
        pos += WriteOptional(dest[pos..], hasRaw ? e : null, raw);
        batch.SymbolWatermark = Symbols.Count;
        batch.Commit(pos);
    }

    /// <summary>A field's text as the store indexes it (any kind formatted, like <see cref="Event.GetText"/>); null when missing.</summary>
    static ReadOnlySpan<char> TextOf(FieldValue v, out string? nullMarker)
    {
        switch (v.Kind)
        {
            case FieldKind.Text:
                nullMarker = string.Empty;
                return v.TextSpan;
            case FieldKind.None:
                nullMarker = null;
                return default;
            default:
                var s = v.ToString();
                nullMarker = s;
                return s;
        }
    }

    static int MaxOptional(int chars) => 5 + (chars * 3);

    /// <summary>An optional UTF-8 string: null when <paramref name="present"/> is null.</summary>
    static int WriteOptional(Span<byte> dest, object? present, ReadOnlySpan<char> text)
    {
        if (present is null)
        {
            dest[0] = 0;
            return 1;
        }
        // Mostly ASCII: guess the byte count is the char count, and move the bytes if the guess was short.
        var guess = VarintLength((ulong)text.Length + 1);
        Utf8.FromUtf16(text, dest[guess..], out _, out var written);
        var actual = VarintLength((ulong)written + 1);
        if (actual != guess)
        {
            dest.Slice(guess, written).CopyTo(dest[actual..]);
        }
        WriteVarint(dest, (ulong)written + 1);
        return actual + written;
    }

    static int VarintLength(ulong v)
    {
        var n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }
        return n;
    }

    static int WriteVarint(Span<byte> dest, ulong v)
    {
        var i = 0;
        while (v >= 0x80)
        {
            dest[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        dest[i++] = (byte)v;
        return i;
    }

    internal static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);
}
