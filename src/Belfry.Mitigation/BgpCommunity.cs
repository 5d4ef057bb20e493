using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Belfry.Mitigation;

/// <summary>
/// A standard BGP community (RFC 1997): two 16-bit halves, written <c>asn:value</c>.
/// </summary>
public readonly record struct BgpCommunity(uint Value)
{
    /// <summary>RFC 7999 §5: BLACKHOLE, 65535:666.</summary>
    public static BgpCommunity Blackhole => new(0xFFFF_029A);

    /// <summary>RFC 1997: NO_EXPORT, 65535:65281.</summary>
    public static BgpCommunity NoExport => new(0xFFFF_FF01);

    /// <summary>RFC 1997: NO_ADVERTISE, 65535:65282.</summary>
    public static BgpCommunity NoAdvertise => new(0xFFFF_FF02);

    public BgpCommunity(ushort asn, ushort value) : this(((uint)asn << 16) | value)
    {
    }

    public ushort Asn => (ushort)(Value >> 16);
    public ushort Local => (ushort)Value;

    /// <summary>Parses <c>asn:value</c> or a well-known name (blackhole, no-export, no-advertise, no-peer).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out BgpCommunity community)
    {
        s = s.Trim();
        community = default;
        switch (s)
        {
            case "blackhole":
                community = Blackhole;
                return true;
            case "no-export":
                community = NoExport;
                return true;
            case "no-advertise":
                community = NoAdvertise;
                return true;
            case "no-peer":
                community = new BgpCommunity(0xFFFF_FF04);
                return true;
        }
        var colon = s.IndexOf(':');
        if (colon <= 0
            || !ushort.TryParse(s[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var asn)
            || !ushort.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        community = new BgpCommunity(asn, value);
        return true;
    }

    public static BgpCommunity Parse(string s) =>
        TryParse(s, out var c) ? c : throw new FormatException($"'{s}' is not a BGP community (asn:value, both 0-65535).");

    [SuppressMessage("Design", "CA1062", Justification = "value type")]
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Asn}:{Local}");
}
