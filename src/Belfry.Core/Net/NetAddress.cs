using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Belfry.Core.Net;

/// <summary>
/// An IPv4 or IPv6 address as one 128-bit value, IPv4 mapped into ::ffff:0:0/96, so that one
/// prefix table and one comparison serve both families without allocating an <see cref="IPAddress"/>.
/// </summary>
public readonly record struct NetAddress(UInt128 Value) : IComparable<NetAddress>
{
    const ulong V4MappedUpper = 0;
    const ulong V4MappedLowerTag = 0x0000_FFFF_0000_0000UL;

    public bool IsV4 => (ulong)(Value >> 64) == V4MappedUpper && ((ulong)Value & 0xFFFF_FFFF_0000_0000UL) == V4MappedLowerTag;

    public static NetAddress FromV4(uint v4) => new(new UInt128(V4MappedUpper, V4MappedLowerTag | v4));

    public uint V4 => (uint)(ulong)Value;

    public static NetAddress FromIPAddress(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        Span<byte> b = stackalloc byte[16];
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            ip.TryWriteBytes(b, out _);
            return FromV4(BinaryPrimitives.ReadUInt32BigEndian(b));
        }
        ip.TryWriteBytes(b, out _);
        return new(BinaryPrimitives.ReadUInt128BigEndian(b));
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[16];
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, V4);
            return new IPAddress(b[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(b, Value);
        return new IPAddress(b);
    }

    /// <summary>Parses dotted-quad IPv4 on a fast path and anything else through the BCL parser.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out NetAddress address)
    {
        s = s.Trim();
        if (TryParseV4(s, out var v4))
        {
            address = FromV4(v4);
            return true;
        }
        // The BCL accepts forms such as "1" or "1.2" as IPv4; only a proper IPv6 text gets here.
        if (s.Length > 1 && s.Length <= 64 && s.Contains(':') && IPAddress.TryParse(s, out var ip))
        {
            if (ip.ScopeId != 0)
            {
                address = default;
                return false;
            }
            address = FromIPAddress(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
            return true;
        }
        address = default;
        return false;
    }

    public static NetAddress Parse(string s) =>
        TryParse(s, out var a) ? a : throw new FormatException($"'{s}' is not an IP address.");

    static bool TryParseV4(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        if (s.Length is < 7 or > 15)
        {
            return false;
        }
        uint acc = 0;
        int octet = -1, dots = 0, digits = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (digits == 0 || dots == 3)
                {
                    return false;
                }
                acc = (acc << 8) | (uint)octet;
                dots++;
                digits = 0;
                octet = -1;
                continue;
            }
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }
            // A leading zero ("01") is ambiguous (octal in some parsers): refuse it as IntelMQ does.
            if (digits == 1 && octet == 0)
            {
                return false;
            }
            octet = digits == 0 ? (int)d : (octet * 10) + (int)d;
            if (octet > 255)
            {
                return false;
            }
            digits++;
        }
        if (dots != 3 || digits == 0)
        {
            return false;
        }
        value = (acc << 8) | (uint)octet;
        return true;
    }

    public bool TryFormat(Span<char> destination, out int written)
    {
        if (IsV4)
        {
            var v = V4;
            return destination.TryWrite(CultureInfo.InvariantCulture, $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}", out written);
        }
        return ToIPAddress().TryFormat(destination, out written);
    }

    public override string ToString()
    {
        Span<char> buf = stackalloc char[64];
        return TryFormat(buf, out var n) ? new string(buf[..n]) : ToIPAddress().ToString();
    }

    public int CompareTo(NetAddress other) => Value.CompareTo(other.Value);

    public static bool operator <(NetAddress a, NetAddress b) => a.Value < b.Value;
    public static bool operator >(NetAddress a, NetAddress b) => a.Value > b.Value;
    public static bool operator <=(NetAddress a, NetAddress b) => a.Value <= b.Value;
    public static bool operator >=(NetAddress a, NetAddress b) => a.Value >= b.Value;

    /// <summary>True for addresses that are never a real Internet host (private, loopback, documentation ...).</summary>
    [SuppressMessage("Style", "IDE0066", Justification = "readability")]
    public bool IsGlobalUnicast
    {
        get
        {
            if (IsV4)
            {
                var v = V4;
                var a = v >> 24;
                return !(a == 0 || a == 10 || a == 127 || a >= 224 || (v >> 20) == 0xAC1 || (v >> 16) == 0xC0A8 || (v >> 16) == 0xA9FE || (v >> 22) == 0x191);
            }
            var hi = (ulong)(Value >> 64);
            return (hi >> 61) == 1; // 2000::/3
        }
    }
}
