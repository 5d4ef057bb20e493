using System.Globalization;

namespace Belfry.Core.Net;

/// <summary>A CIDR prefix. <see cref="Length"/> counts bits of the IPv4 or IPv6 form, as written.</summary>
public readonly record struct NetPrefix
{
    public NetPrefix(NetAddress address, int length)
    {
        var max = address.IsV4 ? 32 : 128;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, max);
        Length = length;
        var bits = address.IsV4 ? 96 + length : length;
        var mask = bits == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - bits);
        Network = new NetAddress(address.Value & mask);
        Last = new NetAddress(Network.Value | ~mask);
    }

    public NetAddress Network { get; }
    public NetAddress Last { get; }
    public int Length { get; }
    public bool IsV4 => Network.IsV4;

    public bool Contains(NetAddress a) => a.Value >= Network.Value && a.Value <= Last.Value;

    public static bool TryParse(ReadOnlySpan<char> s, out NetPrefix prefix)
    {
        s = s.Trim();
        prefix = default;
        var slash = s.IndexOf('/');
        if (slash < 0)
        {
            if (!NetAddress.TryParse(s, out var single))
            {
                return false;
            }
            prefix = new NetPrefix(single, single.IsV4 ? 32 : 128);
            return true;
        }
        if (!NetAddress.TryParse(s[..slash], out var addr) ||
            !int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var len))
        {
            return false;
        }
        if (addr.IsV4 && s[..slash].Contains(':'))
        {
            // An IPv4-mapped IPv6 prefix ("::ffff:192.0.2.0/120"): its length counts the 96 mapping bits.
            if (len is < 96 or > 128)
            {
                return false;
            }
            len -= 96;
        }
        if (len > (addr.IsV4 ? 32 : 128))
        {
            return false;
        }
        prefix = new NetPrefix(addr, len);
        return true;
    }

    public static NetPrefix Parse(string s) =>
        TryParse(s, out var p) ? p : throw new FormatException($"'{s}' is not a CIDR prefix.");

    /// <summary>The prefix spanning first..last when that range is exactly one CIDR block (DShield style ranges).</summary>
    public static bool TryFromRange(NetAddress first, NetAddress last, out NetPrefix prefix)
    {
        prefix = default;
        if (first.IsV4 != last.IsV4 || last.Value < first.Value)
        {
            return false;
        }
        var size = last.Value - first.Value + 1;
        if (size == 0)
        {
            // The whole IPv6 space: 2^128 addresses overflow the count.
            if (first.Value == UInt128.Zero && last.Value == UInt128.MaxValue)
            {
                prefix = new NetPrefix(first, 0);
                return true;
            }
            return false;
        }
        if ((size & (size - 1)) != 0 || (first.Value & (size - 1)) != 0)
        {
            return false;
        }
        var hostBits = 127 - (int)UInt128.LeadingZeroCount(size);
        var len = (first.IsV4 ? 32 : 128) - hostBits;
        if (len < 0)
        {
            return false;
        }
        prefix = new NetPrefix(first, len);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Network}/{Length}");
}
