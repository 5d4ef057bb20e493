using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage;

/// <summary>
/// Compact binary form of an event's fields for storage. It keeps each value's kind exactly (an
/// address stays an address) and is a few hundred bytes for a Shadowserver row.
/// <code>
/// event  = version:u8(2) count:varint field*
/// field  = head:varint(nameId &lt;&lt; 4 | tag) [name:str if nameId = 0] value
/// str    = length:varint UTF-8
/// value by tag: 0 text str | 1 text symbol:varint | 2 integer zigzag varint | 3 float f64 LE
///   | 4 false | 5 true | 6 IPv4 4 bytes BE | 7 IPv6 16 bytes BE | 8 IPv4 prefix 4 bytes + len:u8
///   | 9 IPv6 prefix 16 bytes + len:u8 | 10 time, whole seconds:varint | 11 time, ticks:varint
/// </code>
/// Name ids and text symbols refer to a <see cref="SymbolTable"/> kept with the data; without one,
/// names and values are written inline (nameId 0, tag 0).
/// </summary>
public static class EventCodec
{
    const byte Version = 2;
    const int MaxFields = 4096;

    const byte TagText = 0, TagSymbol = 1, TagInteger = 2, TagFloat = 3, TagFalse = 4, TagTrue = 5,
        TagV4 = 6, TagV6 = 7, TagPrefixV4 = 8, TagPrefixV6 = 9, TagSeconds = 10, TagTicks = 11;

    const byte MarkInlineValues = 1, MarkValueSymbols = 2;

    // Field names repeat across millions of events: decode each distinct inline name to one string.
    static readonly ConcurrentDictionary<string, string> s_names = new(StringComparer.Ordinal);
    const int MaxInternedNames = 100_000;

    public static byte[] Encode(Event e, SymbolTable? symbols = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(e, buffer, symbols);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="e"/>, adding new names and repeated values to
    /// <paramref name="symbols"/> (the caller must then store the table's pending symbols).
    /// </summary>
    public static int Encode(Event e, IBufferWriter<byte> w, SymbolTable? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(w);
        var span = w.GetSpan(MaxEncodedLength(e));
        var n = Encode(e, span, symbols);
        w.Advance(n);
        return n;
    }

    /// <summary>An upper bound of the encoded size, for sizing the destination.</summary>
    public static int MaxEncodedLength(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var n = 1 + 5;
        var count = Math.Min(e.Count, MaxFields);
        for (var i = 0; i < count; i++)
        {
            n += 5 + 5 + (e.NameAt(i).Length * 3) + 5;
            var v = e.ValueAt(i);
            n += v.Kind == FieldKind.Text ? v.TextSpan.Length * 3 : 17;
        }
        return n;
    }

    /// <summary>Encodes into <paramref name="dest"/>, which must hold <see cref="MaxEncodedLength"/> bytes.</summary>
    public static int Encode(Event e, Span<byte> dest, SymbolTable? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        var count = Math.Min(e.Count, MaxFields);
        dest[0] = Version;
        var pos = 1;
        pos += WriteVarint(dest[pos..], (ulong)count);
        for (var i = 0; i < count; i++)
        {
            var name = e.NameAt(i);
            var v = e.ValueAt(i);
            var nameId = 0;
            var valueSymbols = false;
            if (symbols is not null && symbols.TryGetName(name, i, out var id))
            {
                nameId = id;
                ref var mark = ref symbols.Mark(id);
                if (mark == 0)
                {
                    mark = IsLowCardinality(name) ? MarkValueSymbols : MarkInlineValues;
                }
                valueSymbols = mark == MarkValueSymbols;
            }
            switch (v.Kind)
            {
                case FieldKind.Text:
                    var text = v.TextSpan;
                    if (valueSymbols && symbols!.Count < symbols.Capacity / 2 && symbols.TryGetOrAdd(text, out var sym))
                    {
                        pos += WriteHead(dest[pos..], nameId, TagSymbol, name);
                        pos += WriteVarint(dest[pos..], (ulong)sym);
                    }
                    else
                    {
                        pos += WriteHead(dest[pos..], nameId, TagText, name);
                        pos += WriteString(dest[pos..], text);
                    }
                    break;
                case FieldKind.Integer:
                    pos += WriteHead(dest[pos..], nameId, TagInteger, name);
                    var l = v.Integer;
                    pos += WriteVarint(dest[pos..], (ulong)((l << 1) ^ (l >> 63)));
                    break;
                case FieldKind.Float:
                    pos += WriteHead(dest[pos..], nameId, TagFloat, name);
                    BinaryPrimitives.WriteInt64LittleEndian(dest[pos..], BitConverter.DoubleToInt64Bits(v.Float));
                    pos += 8;
                    break;
                case FieldKind.Boolean:
                    pos += WriteHead(dest[pos..], nameId, v.Boolean ? TagTrue : TagFalse, name);
                    break;
                case FieldKind.Address:
                    var a = v.Address;
                    if (a.IsV4)
                    {
                        pos += WriteHead(dest[pos..], nameId, TagV4, name);
                        BinaryPrimitives.WriteUInt32BigEndian(dest[pos..], a.V4);
                        pos += 4;
                    }
                    else
                    {
                        pos += WriteHead(dest[pos..], nameId, TagV6, name);
                        BinaryPrimitives.WriteUInt128BigEndian(dest[pos..], a.Value);
                        pos += 16;
                    }
                    break;
                case FieldKind.Prefix:
                    var p = v.Prefix;
                    if (p.IsV4)
                    {
                        pos += WriteHead(dest[pos..], nameId, TagPrefixV4, name);
                        BinaryPrimitives.WriteUInt32BigEndian(dest[pos..], p.Network.V4);
                        pos += 4;
                    }
                    else
                    {
                        pos += WriteHead(dest[pos..], nameId, TagPrefixV6, name);
                        BinaryPrimitives.WriteUInt128BigEndian(dest[pos..], p.Network.Value);
                        pos += 16;
                    }
                    dest[pos++] = (byte)p.Length;
                    break;
                case FieldKind.Time:
                    var ticks = (ulong)v.Time.Ticks;
                    if (ticks % TimeSpan.TicksPerSecond == 0)
                    {
                        pos += WriteHead(dest[pos..], nameId, TagSeconds, name);
                        pos += WriteVarint(dest[pos..], ticks / TimeSpan.TicksPerSecond);
                    }
                    else
                    {
                        pos += WriteHead(dest[pos..], nameId, TagTicks, name);
                        pos += WriteVarint(dest[pos..], ticks);
                    }
                    break;
                default:
                    // FieldKind.None never reaches an event; keep the count right with an empty text.
                    pos += WriteHead(dest[pos..], nameId, TagText, name);
                    dest[pos++] = 0;
                    break;
            }
        }
        return pos;
    }

    /// <summary>Fields whose values repeat on most events of a feed: stored as symbols.</summary>
    static bool IsLowCardinality(string name) =>
        name.StartsWith("feed.", StringComparison.Ordinal)
        || name.StartsWith("classification.", StringComparison.Ordinal)
        || name.StartsWith("protocol.", StringComparison.Ordinal)
        || name.EndsWith(".geolocation.cc", StringComparison.Ordinal)
        || name is "severity" or "extra.tag" or "event_description.text";

    static int WriteHead(Span<byte> dest, int nameId, byte tag, string name)
    {
        var n = WriteVarint(dest, ((ulong)(uint)nameId << 4) | tag);
        if (nameId == 0)
        {
            n += WriteString(dest[n..], name);
        }
        return n;
    }

    static int WriteString(Span<byte> dest, ReadOnlySpan<char> s)
    {
        // One varint byte covers up to 127 bytes: encode straight after it, and move the bytes
        // only in the rare longer case.
        if (s.Length * 3 < 128)
        {
            Utf8.FromUtf16(s, dest[1..], out _, out var len);
            dest[0] = (byte)len;
            return 1 + len;
        }
        var count = Encoding.UTF8.GetByteCount(s);
        var n = WriteVarint(dest, (ulong)count);
        Encoding.UTF8.GetBytes(s, dest[n..]);
        return n + count;
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

    public static bool TryDecode(ReadOnlySpan<byte> data, Event e, ISymbolResolver? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        var r = new Reader(data);
        if (!r.TryByte(out var version) || version != Version || !r.TryVarint(out var count) || count > MaxFields)
        {
            return false;
        }
        for (var i = 0; i < (int)count; i++)
        {
            if (!r.TryVarint(out var head) || head > int.MaxValue)
            {
                return false;
            }
            var nameId = (int)(head >> 4);
            string? name;
            if (nameId == 0)
            {
                if (!r.TryString(out var utf8) || utf8.Length > 1024)
                {
                    return false;
                }
                name = Intern(utf8);
            }
            else if (symbols is null || !symbols.TryGetSymbol(nameId, out name))
            {
                return false;
            }
            FieldValue value;
            switch ((byte)(head & 0xF))
            {
                case TagText:
                    if (!r.TryString(out var text))
                    {
                        return false;
                    }
                    value = FieldValue.Of(Encoding.UTF8.GetString(text));
                    break;
                case TagSymbol:
                    if (!r.TryVarint(out var sym) || sym > int.MaxValue || symbols is null || !symbols.TryGetSymbol((int)sym, out var symText))
                    {
                        return false;
                    }
                    value = FieldValue.Of(symText);
                    break;
                case TagInteger:
                    if (!r.TryVarint(out var z))
                    {
                        return false;
                    }
                    value = FieldValue.Of((long)(z >> 1) ^ -(long)(z & 1));
                    break;
                case TagFloat:
                    if (!r.TrySlice(8, out var f))
                    {
                        return false;
                    }
                    value = FieldValue.Of(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(f)));
                    break;
                case TagFalse:
                    value = FieldValue.Of(false);
                    break;
                case TagTrue:
                    value = FieldValue.Of(true);
                    break;
                case TagV4:
                    if (!r.TrySlice(4, out var a4))
                    {
                        return false;
                    }
                    value = FieldValue.Of(NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(a4)));
                    break;
                case TagV6:
                    if (!r.TrySlice(16, out var a6))
                    {
                        return false;
                    }
                    value = FieldValue.Of(new NetAddress(BinaryPrimitives.ReadUInt128BigEndian(a6)));
                    break;
                case TagPrefixV4:
                    if (!r.TrySlice(5, out var p4) || p4[4] > 32)
                    {
                        return false;
                    }
                    value = FieldValue.Of(new NetPrefix(NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(p4)), p4[4]));
                    break;
                case TagPrefixV6:
                    if (!r.TrySlice(17, out var p6) || p6[16] > 128)
                    {
                        return false;
                    }
                    value = FieldValue.Of(new NetPrefix(new NetAddress(BinaryPrimitives.ReadUInt128BigEndian(p6)), p6[16]));
                    break;
                case TagSeconds:
                    if (!r.TryVarint(out var seconds) || seconds > (ulong)(DateTime.MaxValue.Ticks / TimeSpan.TicksPerSecond))
                    {
                        return false;
                    }
                    value = FieldValue.Of(new DateTime((long)seconds * TimeSpan.TicksPerSecond, DateTimeKind.Utc));
                    break;
                case TagTicks:
                    if (!r.TryVarint(out var ticks) || ticks > (ulong)DateTime.MaxValue.Ticks)
                    {
                        return false;
                    }
                    value = FieldValue.Of(new DateTime((long)ticks, DateTimeKind.Utc));
                    break;
                default:
                    return false;
            }
            e.Set(name, value);
        }
        return true;
    }

    /// <summary>Forward-only, bounds-checked reader: truncated or hostile data returns false, never throws.</summary>
    ref struct Reader(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> _rest = data;

        public bool TryByte(out byte b)
        {
            if (_rest.IsEmpty)
            {
                b = 0;
                return false;
            }
            b = _rest[0];
            _rest = _rest[1..];
            return true;
        }

        public bool TryVarint(out ulong v)
        {
            v = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (!TryByte(out var b))
                {
                    return false;
                }
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }
            return false;
        }

        public bool TrySlice(int n, out ReadOnlySpan<byte> s)
        {
            if ((uint)n > (uint)_rest.Length)
            {
                s = default;
                return false;
            }
            s = _rest[..n];
            _rest = _rest[n..];
            return true;
        }

        public bool TryString(out ReadOnlySpan<byte> utf8)
        {
            if (!TryVarint(out var len) || len > int.MaxValue)
            {
                utf8 = default;
                return false;
            }
            return TrySlice((int)len, out utf8);
        }
    }

    static string Intern(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[1024];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        var lookup = s_names.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..n], out var s))
        {
            return s;
        }
        s = new string(chars[..n]);
        if (Fields.Known.ContainsKey(s))
        {
            // Use the same instances as the constants where we can, so reference comparisons hit.
            s = string.IsInterned(s) ?? s;
        }
        if (s_names.Count < MaxInternedNames)
        {
            s_names.TryAdd(s, s);
        }
        return s;
    }
}
