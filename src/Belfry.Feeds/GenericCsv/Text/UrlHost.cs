using System.Globalization;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Feeds.Text;

/// <summary>Takes the host (and an explicit port) out of a URL, as IntelMQ's url2fqdn expert would.</summary>
internal static class UrlHost
{
    /// <summary>Splits "scheme://[user@]host[:port]/..." into host and port (-1 when not given). RFC 3986 §3.2.</summary>
    public static bool TrySplit(ReadOnlySpan<char> url, out ReadOnlySpan<char> host, out int port)
    {
        host = default;
        port = -1;
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var rest = scheme < 0 ? url : url[(scheme + 3)..];
        var end = rest.IndexOfAny("/?#\\");
        var authority = end < 0 ? rest : rest[..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }
        ReadOnlySpan<char> portText = default;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                {
                    return false;
                }
                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? default : authority[(colon + 1)..];
        }
        if (!portText.IsEmpty && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535))
        {
            return false;
        }
        return !host.IsEmpty;
    }

    /// <summary>
    /// Sets <paramref name="urlField"/> through the IntelMQ URL rule, then the host fields as
    /// <see cref="TrySetHost"/>. A rejected URL whose host is the problem gets the host as reason.
    /// </summary>
    public static bool TrySetUrl(Event e, ReadOnlySpan<char> text, string urlField, string ipField, string fqdnField, string? portField, out string? error)
    {
        if (!FieldParsers.TryParseField(urlField, text, out var url, out error))
        {
            if (TrySplit(text.Trim(), out var host, out _) && !NetAddress.TryParse(host, out _) && !FieldParsers.TryParseFqdn(host, out _))
            {
                error = $"invalid {urlField}: host '{FieldParsers.Truncate(host)}' is neither an IP address nor a valid DNS name";
            }
            return false;
        }
        e.Set(urlField, url);
        return TrySetHost(e, url.ToString(), ipField, fqdnField, portField, out error);
    }

    /// <summary>
    /// Sets <paramref name="ipField"/> or <paramref name="fqdnField"/> from the URL's host, and
    /// <paramref name="portField"/> when the URL names a port. False, with a reason, when the host is
    /// neither an IP address nor a valid DNS name.
    /// </summary>
    public static bool TrySetHost(Event e, string url, string ipField, string fqdnField, string? portField, out string? error)
    {
        error = null;
        if (!TrySplit(url, out var host, out var port))
        {
            error = $"no host in URL '{FieldParsers.Truncate(url)}'";
            return false;
        }
        if (NetAddress.TryParse(host, out var ip))
        {
            e.Set(ipField, ip);
        }
        else if (FieldParsers.TryParseFqdn(host, out var fqdn))
        {
            e.Set(fqdnField, fqdn);
        }
        else
        {
            error = $"URL host '{FieldParsers.Truncate(host)}' is neither an IP address nor a valid DNS name";
            return false;
        }
        if (port >= 0 && portField is not null)
        {
            e.Set(portField, port);
        }
        return true;
    }
}
