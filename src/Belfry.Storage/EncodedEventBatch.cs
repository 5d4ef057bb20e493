using System.Buffers.Binary;
using System.Text;
using Belfry.Core.Events;

namespace Belfry.Storage;

/// <summary>
/// Events already encoded for storage, back to back in one reusable byte buffer: what a
/// producer thread hands to a store instead of <see cref="Event"/> objects, so the events die
/// young (in gen0) and the store thread only binds bytes. Written by one
/// <see cref="EventRowEncoder"/>, read by the store of that encoder.
/// <code>
/// row   = id:16 flags:u8 [time.source ticks:i64 LE] time.observation ticks:i64 LE tlp:u8
///         feed:ostr type:ostr organisation:ostr fields:str raw:ostr
/// ostr  = varint(length + 1) UTF-8, 0 for null;  str = varint length, bytes
/// </code>
/// </summary>
public sealed class EncodedEventBatch
{
    byte[] _buffer;
    int _length;

    public EncodedEventBatch(int capacity = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _buffer = new byte[capacity];
    }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes used.</summary>
    public int Length => _length;

    /// <summary>Bytes allocated.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The encoder that wrote the rows (their symbol ids are its own).</summary>
    public EventRowEncoder? Encoder { get; internal set; }

    /// <summary>The encoder's symbol count after the last row: every id in the rows is at most this.</summary>
    public int SymbolWatermark { get; internal set; }

    public void Clear()
    {
        _length = 0;
        Count = 0;
        Encoder = null;
        SymbolWatermark = 0;
    }

    internal ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    internal Span<byte> Reserve(int bytes)
    {
        if (_buffer.Length - _length < bytes)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
        return _buffer.AsSpan(_length);
    }

    internal void Commit(int bytes)
    {
        _length += bytes;
        Count++;
    }

    /// <summary>One row of a batch, read in place.</summary>
    internal readonly ref struct Row
    {
        public required ReadOnlySpan<byte> Id { get; init; }
        public required long? TimeSource { get; init; }
        public required long TimeObservation { get; init; }

        /// <summary>source.ip as 16 big-endian bytes (IPv4 mapped); empty when the event has no address there.</summary>
        public required ReadOnlySpan<byte> SourceIp { get; init; }
        public required long? SourceAsn { get; init; }
        public required int Tlp { get; init; }
        public required ReadOnlySpan<byte> Feed { get; init; }
        public required bool HasType { get; init; }
        public required ReadOnlySpan<byte> Type { get; init; }
        public required bool HasOrganisation { get; init; }
        public required ReadOnlySpan<byte> Organisation { get; init; }
        public required ReadOnlySpan<byte> Fields { get; init; }
        public required bool HasRaw { get; init; }
        public required ReadOnlySpan<byte> Raw { get; init; }
    }

    /// <summary>Reads the row at <paramref name="offset"/> and moves the offset past it.</summary>
    internal Row ReadRow(scoped ref int offset)
    {
        var s = _buffer.AsSpan(offset, _length - offset);
        var id = s[..16];
        var flags = s[16];
        var pos = 17;
        long? timeSource = null;
        if ((flags & EventRowEncoder.FlagTimeSource) != 0)
        {
            timeSource = BinaryPrimitives.ReadInt64LittleEndian(s[pos..]);
            pos += 8;
        }
        ReadOnlySpan<byte> sourceIp = default;
        if ((flags & EventRowEncoder.FlagSourceIp) != 0)
        {
            sourceIp = s.Slice(pos, 16);
            pos += 16;
        }
        long? sourceAsn = null;
        if ((flags & EventRowEncoder.FlagSourceAsn) != 0)
        {
            sourceAsn = BinaryPrimitives.ReadInt64LittleEndian(s[pos..]);
            pos += 8;
        }
        var timeObservation = BinaryPrimitives.ReadInt64LittleEndian(s[pos..]);
        pos += 8;
        int tlp = s[pos++];
        var feed = ReadOptional(s, ref pos, out _);
        var type = ReadOptional(s, ref pos, out var hasType);
        var org = ReadOptional(s, ref pos, out var hasOrg);
        var fieldsLength = (int)ReadVarint(s, ref pos);
        var fields = s.Slice(pos, fieldsLength);
        pos += fieldsLength;
        var raw = ReadOptional(s, ref pos, out var hasRaw);
        offset += pos;
        return new Row
        {
            Id = id,
            TimeSource = timeSource,
            TimeObservation = timeObservation,
            SourceIp = sourceIp,
            SourceAsn = sourceAsn,
            Tlp = tlp,
            Feed = feed,
            HasType = hasType,
            Type = type,
            HasOrganisation = hasOrg,
            Organisation = org,
            Fields = fields,
            HasRaw = hasRaw,
            Raw = raw,
        };
    }

    static ReadOnlySpan<byte> ReadOptional(ReadOnlySpan<byte> s, scoped ref int pos, out bool present)
    {
        var n = ReadVarint(s, ref pos);
        present = n != 0;
        if (n == 0)
        {
            return default;
        }
        var value = s.Slice(pos, (int)(n - 1));
        pos += (int)(n - 1);
        return value;
    }

    static ulong ReadVarint(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong v = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = s[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return v;
            }
        }
    }

    internal static string Utf8(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);
}
