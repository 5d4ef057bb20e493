using System.Globalization;
using System.Text.RegularExpressions;
using Belfry.Core.Net;

namespace Belfry.Core.Events;

/// <summary>
/// The IntelMQ value rules for the common field kinds, as allocation-light Try-parsers over
/// spans. Every parser and expert goes through these, so a value accepted by one feed is
/// accepted by all, and a bad value is rejected with the same reason everywhere.
/// </summary>
public static partial class FieldParsers
{
    static readonly string[] s_timeFormats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss 'UTC'",
        "yyyy-MM-dd HH:mm:ss'Z'",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd",
        "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        "ddd, d MMM yyyy HH:mm:ss 'GMT'",
        "ddd, dd MMM yyyy HH:mm:ss zzz",
        "ddd, dd MMM yyyy HH:mm:ss K",
        "ddd, d MMM yyyy HH:mm:ss zzz",
        "yyyyMMdd'T'HHmmss'Z'",
    ];

    /// <summary>
    /// Parses a time stamp; text without a zone is taken as UTC (feeds give UTC), anything with
    /// a zone is converted to UTC. The common "yyyy-MM-dd HH:mm:ss" form is parsed by hand.
    /// </summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, out DateTime utc)
    {
        s = s.Trim();
        if (s.Length == 19 && TryParseIsoFast(s, out utc))
        {
            return true;
        }
        if (s.Length >= 10 && s.Length <= 40 &&
            DateTimeOffset.TryParseExact(s, s_timeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var dto))
        {
            utc = dto.UtcDateTime;
            return true;
        }
        // Epoch seconds (some JSON feeds).
        if (s.Length is >= 9 and <= 10 && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            utc = DateTime.UnixEpoch.AddSeconds(epoch);
            return true;
        }
        utc = default;
        return false;
    }

    static bool TryParseIsoFast(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        if (s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }
        if (!TwoDigits(s, 0, out var c) || !TwoDigits(s, 2, out var yy) || !TwoDigits(s, 5, out var mo) || !TwoDigits(s, 8, out var d) ||
            !TwoDigits(s, 11, out var h) || !TwoDigits(s, 14, out var mi) || !TwoDigits(s, 17, out var sec))
        {
            return false;
        }
        var year = (c * 100) + yy;
        if (mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(Math.Max(1, year), mo) || h > 23 || mi > 59 || sec > 59 || year < 1)
        {
            return false;
        }
        utc = new DateTime(year, mo, d, h, mi, sec, DateTimeKind.Utc);
        return true;
    }

    static bool TwoDigits(ReadOnlySpan<char> s, int i, out int v)
    {
        var a = (uint)(s[i] - '0');
        var b = (uint)(s[i + 1] - '0');
        v = (int)((a * 10) + b);
        return a <= 9 && b <= 9;
    }

    public static bool TryParsePort(ReadOnlySpan<char> s, out int port) =>
        int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;

    /// <summary>AS numbers 1..4294967295, also written "AS64500".</summary>
    public static bool TryParseAsn(ReadOnlySpan<char> s, out long asn)
    {
        s = s.Trim();
        if (s.StartsWith("AS", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out asn) && asn is > 0 and <= uint.MaxValue;
    }

    public static bool TryParseInteger(ReadOnlySpan<char> s, out long value) =>
        long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseFloat(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryParseBool(ReadOnlySpan<char> s, out bool value)
    {
        s = s.Trim();
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s is "1" || s.Equals("yes", StringComparison.OrdinalIgnoreCase) || s.Equals("y", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }
        if (s.Equals("false", StringComparison.OrdinalIgnoreCase) || s is "0" || s.Equals("no", StringComparison.OrdinalIgnoreCase) || s.Equals("n", StringComparison.OrdinalIgnoreCase))
        {
            value = false;
            return true;
        }
        value = false;
        return false;
    }

    /// <summary>A host name as IntelMQ accepts it: labels of letters, digits, '-' and '_', lower-cased, no trailing dot, not an IP.</summary>
    public static bool TryParseFqdn(ReadOnlySpan<char> s, out string fqdn)
    {
        s = s.Trim().TrimEnd('.');
        fqdn = string.Empty;
        if (!IsFqdn(s))
        {
            return false;
        }
        fqdn = s.ToString().ToLowerInvariant();
        return true;
    }

    /// <summary>
    /// Whether <paramref name="s"/>, already trimmed of spaces and the final dot, is a host name as
    /// <see cref="TryParseFqdn"/> accepts it (labels of letters, digits, '-' and '_', not an address).
    /// </summary>
    public static bool IsFqdn(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s.Length > 253 || NetAddress.TryParse(s, out _))
        {
            return false;
        }
        var labelLen = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (labelLen == 0)
                {
                    return false;
                }
                labelLen = 0;
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || c > 127) || ++labelLen > 63)
            {
                return false;
            }
        }
        return labelLen != 0;
    }

    /// <summary>A URL with a scheme and a host; "hxxp" and "[.]" defanging is undone; a bare host/path gets "http://".</summary>
    public static bool TryParseUrl(ReadOnlySpan<char> s, out string url)
    {
        var text = s.Trim().ToString();
        url = string.Empty;
        if (text.Length is 0 or > 8192 || text.Any(char.IsWhiteSpace))
        {
            return false;
        }
        text = text.Replace("[.]", ".", StringComparison.Ordinal);
        if (text.StartsWith("hxxp", StringComparison.OrdinalIgnoreCase))
        {
            text = "http" + text[4..];
        }
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }
        url = text;
        return true;
    }

    /// <summary>ISO 3166-1 alpha-2 country code, upper-cased.</summary>
    public static bool TryParseCountryCode(ReadOnlySpan<char> s, out string cc)
    {
        s = s.Trim();
        cc = string.Empty;
        if (s.Length != 2 || !char.IsAsciiLetter(s[0]) || !char.IsAsciiLetter(s[1]))
        {
            return false;
        }
        cc = s.ToString().ToUpperInvariant();
        return true;
    }

    /// <summary>Parses a value for a known IntelMQ field by its kind; unknown and extra.* fields keep text, numbers become integers.</summary>
    public static bool TryParseField(string name, ReadOnlySpan<char> text, out FieldValue value, out string? error)
    {
        error = null;
        value = default;
        if (!Fields.Known.TryGetValue(name, out var type))
        {
            type = Fields.Type.Any;
        }
        switch (type)
        {
            case Fields.Type.Address:
                if (NetAddress.TryParse(text, out var ip))
                {
                    value = FieldValue.Of(ip);
                    return true;
                }
                break;
            case Fields.Type.Prefix:
                if (NetPrefix.TryParse(text, out var prefix))
                {
                    value = FieldValue.Of(prefix);
                    return true;
                }
                break;
            case Fields.Type.Time:
                if (TryParseTime(text, out var t))
                {
                    value = FieldValue.Of(t);
                    return true;
                }
                break;
            case Fields.Type.Port:
                if (TryParsePort(text, out var port))
                {
                    value = FieldValue.Of(port);
                    return true;
                }
                break;
            case Fields.Type.Asn:
                if (TryParseAsn(text, out var asn))
                {
                    value = FieldValue.Of(asn);
                    return true;
                }
                break;
            case Fields.Type.Integer:
                if (TryParseInteger(text, out var n))
                {
                    value = FieldValue.Of(n);
                    return true;
                }
                break;
            case Fields.Type.Float:
                if (TryParseFloat(text, out var f))
                {
                    value = FieldValue.Of(f);
                    return true;
                }
                break;
            case Fields.Type.Boolean:
                if (TryParseBool(text, out var b))
                {
                    value = FieldValue.Of(b);
                    return true;
                }
                break;
            case Fields.Type.Fqdn:
                if (TryParseFqdn(text, out var fqdn))
                {
                    value = FieldValue.Of(fqdn);
                    return true;
                }
                break;
            case Fields.Type.Url:
                if (TryParseUrl(text, out var url))
                {
                    value = FieldValue.Of(url);
                    return true;
                }
                break;
            case Fields.Type.CountryCode:
                if (TryParseCountryCode(text, out var cc))
                {
                    value = FieldValue.Of(cc);
                    return true;
                }
                break;
            case Fields.Type.Lower:
                value = FieldValue.Of(text.Trim().ToString().ToLowerInvariant());
                return true;
            default:
                value = FieldValue.Of(text.ToString());
                return true;
        }
        error = $"invalid {name}: '{Truncate(text)}'";
        return false;
    }

    /// <summary>Shortens bad values quoted in error messages (a 1 MB garbage line must not become a 1 MB reason).</summary>
    public static string Truncate(ReadOnlySpan<char> s, int max = 80) =>
        s.Length <= max ? s.ToString() : string.Concat(s[..max], "…");

    [GeneratedRegex(@"CVE-\d{4}-\d{4,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex CveRegex();
}
