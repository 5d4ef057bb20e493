using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage;

/// <summary>
/// Compact binary form of an event's fields for storage: faster to write and read back than
/// JSON, and it keeps each value's kind exactly (an address stays an address). Layout per field:
/// name (u8 length + UTF-8), kind (u8), value (fixed width, or u32 length + UTF-8 for text).
/// </summary>
public static class EventCodec
{
    const byte Version = 1;

    // Field names repeat across millions of events: decode each distinct name to one string.
    static readonly ConcurrentDictionary<string, string> s_names = new(StringComparer.Ordinal);
    const int MaxInternedNames = 100_000;

    public static byte[] Encode(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(e, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Encode(Event e, IBufferWriter<byte> w)
    {
        Put(w, Version);
        Put(w, (byte)Math.Min(e.Count, 255));
        for (var i = 0; i < e.Count && i < 255; i++)
        {
            var name = e.NameAt(i);
            var len = Encoding.UTF8.GetByteCount(name);
            if (len > 255)
            {
                throw new StorageException($"Field name too long: {name[..40]}…", isTransient: false);
            }
            var span = w.GetSpan(1 + len);
            span[0] = (byte)len;
            Encoding.UTF8.GetBytes(name, span[1..]);
            w.Advance(1 + len);
            var v = e.ValueAt(i);
            Put(w, (byte)v.Kind);
            switch (v.Kind)
            {
                case FieldKind.Text:
                    PutText(w, v.Text!);
                    break;
                case FieldKind.Integer:
                    PutU64(w, (ulong)v.Integer);
                    break;
                case FieldKind.Float:
                    PutU64(w, (ulong)BitConverter.DoubleToInt64Bits(v.Float));
                    break;
                case FieldKind.Boolean:
                    Put(w, v.Boolean ? (byte)1 : (byte)0);
                    break;
                case FieldKind.Address:
                    PutU128(w, v.Address.Value);
                    break;
                case FieldKind.Prefix:
                    var p = v.Prefix;
                    PutU128(w, p.Network.Value);
                    Put(w, (byte)p.Length);
                    break;
                case FieldKind.Time:
                    PutU64(w, (ulong)v.Time.Ticks);
                    break;
                default:
                    break;
            }
        }
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, Event e)
    {
        if (data.Length < 2 || data[0] != Version)
        {
            return false;
        }
        int count = data[1], pos = 2;
        for (var i = 0; i < count; i++)
        {
            if (pos >= data.Length)
            {
                return false;
            }
            int nameLen = data[pos++];
            if (pos + nameLen + 1 > data.Length)
            {
                return false;
            }
            var name = Intern(data.Slice(pos, nameLen));
            pos += nameLen;
            var kind = (FieldKind)data[pos++];
            var rest = data[pos..];
            FieldValue value;
            switch (kind)
            {
                case FieldKind.Text:
                    if (!BinaryPrimitives.TryReadInt32LittleEndian(rest, out var tl) || tl < 0 || tl > rest.Length - 4)
                    {
                        return false;
                    }
                    value = FieldValue.Of(Encoding.UTF8.GetString(rest.Slice(4, tl)));
                    pos += 4 + tl;
                    break;
                case FieldKind.Integer when rest.Length >= 8:
                    value = FieldValue.Of((long)BinaryPrimitives.ReadUInt64LittleEndian(rest));
                    pos += 8;
                    break;
                case FieldKind.Float when rest.Length >= 8:
                    value = FieldValue.Of(BitConverter.Int64BitsToDouble((long)BinaryPrimitives.ReadUInt64LittleEndian(rest)));
                    pos += 8;
                    break;
                case FieldKind.Boolean when rest.Length >= 1:
                    value = FieldValue.Of(rest[0] != 0);
                    pos += 1;
                    break;
                case FieldKind.Address when rest.Length >= 16:
                    value = FieldValue.Of(new NetAddress(BinaryPrimitives.ReadUInt128LittleEndian(rest)));
                    pos += 16;
                    break;
                case FieldKind.Prefix when rest.Length >= 17:
                    var net = new NetAddress(BinaryPrimitives.ReadUInt128LittleEndian(rest));
                    var len = rest[16];
                    if (len > (net.IsV4 ? 32 : 128))
                    {
                        return false;
                    }
                    value = FieldValue.Of(new NetPrefix(net, len));
                    pos += 17;
                    break;
                case FieldKind.Time when rest.Length >= 8:
                    var ticks = (long)BinaryPrimitives.ReadUInt64LittleEndian(rest);
                    if (ticks < 0 || ticks > DateTime.MaxValue.Ticks)
                    {
                        return false;
                    }
                    value = FieldValue.Of(new DateTime(ticks, DateTimeKind.Utc));
                    pos += 8;
                    break;
                default:
                    return false;
            }
            e.Set(name, value);
        }
        return true;
    }

    static string Intern(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[256];
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

    static void Put(IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    static void PutU64(IBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }

    static void PutU128(IBufferWriter<byte> w, UInt128 v)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(w.GetSpan(16), v);
        w.Advance(16);
    }

    static void PutText(IBufferWriter<byte> w, string s)
    {
        var len = Encoding.UTF8.GetByteCount(s);
        var span = w.GetSpan(4 + len);
        BinaryPrimitives.WriteInt32LittleEndian(span, len);
        Encoding.UTF8.GetBytes(s, span[4..]);
        w.Advance(4 + len);
    }
}
