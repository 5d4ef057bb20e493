using System.Buffers.Binary;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>Growable big-endian byte buffer the encoders write into. Not for the decode hot path.</summary>
public sealed class WireBuffer
{
    byte[] _data = new byte[512];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _data.AsSpan(0, Length);

    Span<byte> Take(int n)
    {
        if (Length + n > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, Length + n));
        }
        var s = _data.AsSpan(Length, n);
        Length += n;
        return s;
    }

    public WireBuffer U8(byte v)
    {
        Take(1)[0] = v;
        return this;
    }

    public WireBuffer U16(ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Take(2), v);
        return this;
    }

    public WireBuffer U32(uint v)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Take(4), v);
        return this;
    }

    public WireBuffer U64(ulong v)
    {
        BinaryPrimitives.WriteUInt64BigEndian(Take(8), v);
        return this;
    }

    /// <summary>Unsigned integer in <paramref name="length"/> bytes (1 to 8, reduced-size encoding).</summary>
    public WireBuffer UInt(ulong v, int length)
    {
        var s = Take(length);
        for (var i = length - 1; i >= 0; i--)
        {
            s[i] = (byte)v;
            v >>= 8;
        }
        return this;
    }

    public WireBuffer Bytes(ReadOnlySpan<byte> v)
    {
        v.CopyTo(Take(v.Length));
        return this;
    }

    public WireBuffer Zeros(int n)
    {
        Take(n).Clear();
        return this;
    }

    public WireBuffer V4(NetAddress a) => U32(a.V4);

    public WireBuffer V6(NetAddress a)
    {
        BinaryPrimitives.WriteUInt128BigEndian(Take(16), a.Value);
        return this;
    }

    public void PatchU16(int offset, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(_data.AsSpan(offset), v);

    public void PatchU32(int offset, uint v) => BinaryPrimitives.WriteUInt32BigEndian(_data.AsSpan(offset), v);

    public byte[] ToArray() => _data.AsSpan(0, Length).ToArray();
}

/// <summary>A template field specifier; a non-zero <see cref="Enterprise"/> makes it enterprise-specific (IPFIX only).</summary>
public readonly record struct FieldSpec(ushort Id, ushort Length, uint Enterprise = 0)
{
    public const ushort Variable = 65535;
}
