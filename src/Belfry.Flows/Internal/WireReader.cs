using System.Buffers.Binary;

namespace Belfry.Flows.Internal;

/// <summary>Big-endian, forward-only, allocation-free reader over hostile bytes.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    ReadOnlySpan<byte> _rest = data;

    public readonly int Remaining => _rest.Length;
    public readonly ReadOnlySpan<byte> Rest => _rest;

    public bool TryU8(out byte v)
    {
        if (_rest.IsEmpty)
        {
            v = 0;
            return false;
        }
        v = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryU16(out ushort v)
    {
        if (!BinaryPrimitives.TryReadUInt16BigEndian(_rest, out v))
        {
            return false;
        }
        _rest = _rest[2..];
        return true;
    }

    public bool TryU32(out uint v)
    {
        if (!BinaryPrimitives.TryReadUInt32BigEndian(_rest, out v))
        {
            return false;
        }
        _rest = _rest[4..];
        return true;
    }

    public bool TryU64(out ulong v)
    {
        if (!BinaryPrimitives.TryReadUInt64BigEndian(_rest, out v))
        {
            return false;
        }
        _rest = _rest[8..];
        return true;
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

    public bool TrySkip(int n)
    {
        if ((uint)n > (uint)_rest.Length)
        {
            return false;
        }
        _rest = _rest[n..];
        return true;
    }
}
