using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Belfry.Core.Events;

/// <summary>
/// 128-bit deterministic event id: XXH128 over the raw record, seeded by the feed name. A redelivered
/// batch or a re-ingested file produces the same ids, so storage keeps each record once.
/// </summary>
public readonly record struct EventId(UInt128 Value)
{
    public static EventId Compute(string feed, ReadOnlySpan<char> raw)
    {
        ArgumentNullException.ThrowIfNull(feed);
        // XXH128 of the raw record's UTF-16 code units (little-endian, whatever the machine), seeded
        // with XXH64 of the feed name: no transcoding per record, and ("ab","c") differs from ("a","bc").
        var seed = SeedOf(feed);
        if (BitConverter.IsLittleEndian)
        {
            return new EventId(XxHash128.HashToUInt128(MemoryMarshal.AsBytes(raw), seed));
        }
        return ComputeBigEndian(raw, seed);
    }

    // The last feed's seed: a parser hashes thousands of records of one feed in a row. Immutable and
    // swapped whole, so threads parsing different feeds only miss, never mix seeds up.
    static FeedSeed? s_lastSeed;

    sealed record FeedSeed(string Feed, long Seed);

    static long SeedOf(string feed)
    {
        var last = Volatile.Read(ref s_lastSeed);
        if (last is not null && (ReferenceEquals(last.Feed, feed) || string.Equals(last.Feed, feed, StringComparison.Ordinal)))
        {
            return last.Seed;
        }
        var seed = (long)XxHash64.HashToUInt64(MemoryMarshal.AsBytes(feed.AsSpan()));
        Volatile.Write(ref s_lastSeed, new FeedSeed(feed, seed));
        return seed;
    }

    static EventId ComputeBigEndian(ReadOnlySpan<char> raw, long seed)
    {
        var rented = ArrayPool<byte>.Shared.Rent(raw.Length * 2);
        for (var i = 0; i < raw.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(rented.AsSpan(i * 2), raw[i]);
        }
        var id = new EventId(XxHash128.HashToUInt128(rented.AsSpan(0, raw.Length * 2), seed));
        ArrayPool<byte>.Shared.Return(rented);
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
