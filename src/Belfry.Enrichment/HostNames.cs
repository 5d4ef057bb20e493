using Belfry.Core.Net;

namespace Belfry.Enrichment;

/// <summary>Allocation-free helpers to find the host part of a URL.</summary>
public static class HostNames
{
    /// <summary>
    /// The host of an absolute URL ("scheme://user@host:port/path"), without brackets for an
    /// IPv6 literal. A URL without a scheme is read as "host/path".
    /// </summary>
    public static bool TryGetUrlHost(ReadOnlySpan<char> url, out ReadOnlySpan<char> host)
    {
        var s = url.Trim();
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            s = s[(scheme + 3)..];
        }
        var end = s.IndexOfAny('/', '?', '#');
        if (end >= 0)
        {
            s = s[..end];
        }
        var at = s.LastIndexOf('@');
        if (at >= 0)
        {
            s = s[(at + 1)..];
        }
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            host = close > 1 ? s[1..close] : default;
            return !host.IsEmpty;
        }
        var colon = s.IndexOf(':');
        if (colon >= 0)
        {
            s = s[..colon];
        }
        host = s.TrimEnd('.');
        return !host.IsEmpty;
    }

    /// <summary>True when the host text is an IP literal, returning the address.</summary>
    public static bool TryGetAddress(ReadOnlySpan<char> host, out NetAddress address) => NetAddress.TryParse(host, out address);
}
