using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Belfry.Core.Events;

/// <summary>
/// 128-bit deterministic event id: XXH128 over the feed name and the raw record. A redelivered
/// batch or a re-ingested file produces the same ids, so storage keeps each record once.
/// </summary>
public readonly record struct EventId(UInt128 Value)
{
    public static EventId Compute(string feed, ReadOnlySpan<char> raw)
    {
        var max = Encoding.UTF8.GetMaxByteCount(feed.Length + raw.Length + 1);
        byte[]? rented = null;
        var buf = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var n = Encoding.UTF8.GetBytes(feed, buf);
        buf[n++] = 0; // separator: ("ab","c") and ("a","bc") must differ
        n += Encoding.UTF8.GetBytes(raw, buf[n..]);
        var id = new EventId(XxHash128.HashToUInt128(buf[..n]));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return id;
    }

    public void WriteBytes(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public byte[] ToBytes()
    {
        var b = new byte[16];
        WriteBytes(b);
        return b;
    }

    public static EventId FromBytes(ReadOnlySpan<byte> b) => new(BinaryPrimitives.ReadUInt128BigEndian(b));

    public override string ToString() => Value.ToString("x32", null);

    public static bool TryParse(string s, out EventId id)
    {
        if (s.Length == 32 && UInt128.TryParse(s, System.Globalization.NumberStyles.HexNumber, null, out var v))
        {
            id = new EventId(v);
            return true;
        }
        id = default;
        return false;
    }
}
