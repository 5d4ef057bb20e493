using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Feeds.Shadowserver;

public sealed partial class ShadowserverParser
{
    enum Outcome : byte
    {
        Absent,
        Ok,
        Invalid,
    }

    /// <summary>
    /// Applies one mapping to one row, the way IntelMQ's Shadowserver parser does: the conversion
    /// first (it may turn the value into "nothing"), then the field's own validation.
    /// </summary>
    /// <remarks>
    /// Text values are slices of <paramref name="raw"/> (the row as read, copied into a chunk, whose
    /// characters start at <paramref name="rowStart"/> in Sep's buffer) when the column's text appears
    /// there unchanged.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static Outcome Convert(ColumnOp op, CsvRowReader row, RowText raw, QuoteMap quotes, ref readonly char rowStart, out FieldValue value)
    {
        value = default;
        if (op.Col >= row.ColCount)
        {
            return Outcome.Absent; // a short row: its trailing columns are empty
        }
        var s = TrimFast(ColText(row.Col(op.Col), quotes, in rowStart));
        string? computed = null;
        switch (op.Conversion)
        {
            case ShadowserverConversion.ValidateToNone:
                if (s.IsEmpty || IsNoneToken(s))
                {
                    return Outcome.Absent;
                }
                break;
            case ShadowserverConversion.InvalidateZero:
                if (s.IsEmpty || s is "0")
                {
                    return Outcome.Absent;
                }
                break;
            case ShadowserverConversion.ValidateNetwork:
                // validate_network only takes values written as networks; a plain address is source.ip's.
                if (s.IndexOf('/') < 0)
                {
                    return Outcome.Absent;
                }
                break;
            case ShadowserverConversion.ValidateIp:
                if (s is "0.0.0.0" or "::")
                {
                    return Outcome.Invalid;
                }
                break;
            case ShadowserverConversion.ExtractCveFromTag:
                computed = ExtractCves(s, out var single);
                if (computed is null)
                {
                    if (single.IsEmpty)
                    {
                        return Outcome.Absent;
                    }
                    s = single; // the one CVE id, as written in the row
                    break;
                }
                s = computed;
                break;
            case ShadowserverConversion.ForceBase64:
                if (s.IsEmpty)
                {
                    return Outcome.Absent;
                }
                computed = ForceBase64(s);
                s = computed;
                break;
            case ShadowserverConversion.ConvertHttpHostAndUrl:
                computed = HttpHostAndUrl(op, row, s);
                if (computed is null)
                {
                    return Outcome.Absent;
                }
                s = computed;
                break;
            case ShadowserverConversion.CategoryOrDetail:
                if (s.IsEmpty && op.DetailCol >= 0 && op.DetailCol < row.ColCount)
                {
                    s = ColText(row.Col(op.DetailCol)).Trim();
                    computed = s.IsEmpty ? null : s.ToString();
                }
                break;
            case ShadowserverConversion.ScanExchangeTaxonomy:
                computed = IsWebshell(s) ? "intrusions" : "vulnerable";
                s = computed;
                break;
            case ShadowserverConversion.ScanExchangeType:
                computed = IsWebshell(s) ? "system-compromise" : "vulnerable-system";
                s = computed;
                break;
            case ShadowserverConversion.ScanExchangeIdentifier:
                computed = IsWebshell(s) ? "exchange-server-webshell" : "vulnerable-exchange-server";
                s = computed;
                break;
            default:
                break;
        }
        if (s.IsEmpty)
        {
            return Outcome.Absent;
        }

        switch (op.Kind)
        {
            case ValueKind.Address:
                if (NetAddress.TryParse(s, out var ip))
                {
                    value = FieldValue.Of(ip);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Prefix:
                if (NetPrefix.TryParse(s, out var prefix))
                {
                    value = FieldValue.Of(prefix);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Time:
                if (TryParseTime(s, out var t))
                {
                    value = FieldValue.Of(t);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Port:
                if (TryParseUInt(s, out var port) && port <= 65535)
                {
                    value = FieldValue.Of((long)port);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Asn:
                if (TryParseUInt(s, out var asn) && asn > 0 && asn <= uint.MaxValue)
                {
                    value = FieldValue.Of((long)asn);
                    return Outcome.Ok;
                }
                if (FieldParsers.TryParseAsn(s, out var asn2))
                {
                    value = FieldValue.Of(asn2);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Integer:
                if (TryParseUInt(s, out var u) && u <= long.MaxValue)
                {
                    value = FieldValue.Of((long)u);
                    return Outcome.Ok;
                }
                if (FieldParsers.TryParseInteger(s, out var n))
                {
                    value = FieldValue.Of(n);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Float:
                if (FieldParsers.TryParseFloat(s, out var f))
                {
                    value = FieldValue.Of(f);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Boolean:
                if (TryParseBool(s, out var b))
                {
                    value = FieldValue.Of(b);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Fqdn:
                if (computed is null && s.Length > 0 && s[^1] != '.' && IsLower(s) && FieldParsers.IsFqdn(s))
                {
                    value = Text(s, raw, in rowStart);
                    return Outcome.Ok;
                }
                if (FieldParsers.TryParseFqdn(s, out var fqdn))
                {
                    value = FieldValue.Of(fqdn);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.Url:
                if (FieldParsers.TryParseUrl(s, out var url))
                {
                    value = FieldValue.Of(url);
                    return Outcome.Ok;
                }
                return Outcome.Invalid;
            case ValueKind.CountryCode:
                if (s.Length != 2 || !char.IsAsciiLetter(s[0]) || !char.IsAsciiLetter(s[1]))
                {
                    return Outcome.Invalid;
                }
                value = char.IsAsciiLetterUpper(s[0]) && char.IsAsciiLetterUpper(s[1]) && computed is null
                    ? Text(s, raw, in rowStart)
                    : FieldValue.Of(s.ToString().ToUpperInvariant());
                return Outcome.Ok;
            case ValueKind.Lower:
                value = computed is not null ? FieldValue.Of(computed) : IsLower(s) ? Text(s, raw, in rowStart) : FieldValue.Of(s.ToString().ToLowerInvariant());
                return Outcome.Ok;
            default:
                value = computed is not null ? FieldValue.Of(computed) : Text(s, raw, in rowStart);
                return Outcome.Ok;
        }
    }

    /// <summary>
    /// The value of a column of a common kind (<see cref="ColumnOp.Fast"/>) when it has a valid one
    /// that needs no change, exactly as <see cref="Convert"/> would give it; false otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool TryConvertFast(FastPath fast, ColumnOp op, ReadOnlySpan<char> s, RowText raw, ref readonly char rowStart, out FieldValue value)
    {
        value = default;
        if (s.IsEmpty)
        {
            return false;
        }
        switch (fast)
        {
            case FastPath.Text:
                if ((op.Conversion == ShadowserverConversion.ValidateToNone && IsNoneToken(s)) || (op.Kind == ValueKind.Lower && !IsLower(s)))
                {
                    return false;
                }
                value = Text(s, raw, in rowStart);
                return true;
            case FastPath.Number:
                if (!TryParseUInt(s, out var u) || (u == 0 && (op.Conversion == ShadowserverConversion.InvalidateZero || op.Kind == ValueKind.Asn)) ||
                    u > (op.Kind == ValueKind.Port ? 65535UL : op.Kind == ValueKind.Asn ? (ulong)uint.MaxValue : (ulong)long.MaxValue))
                {
                    return false;
                }
                value = FieldValue.Of((long)u);
                return true;
            case FastPath.Time:
                if (!TryParseTime(s, out var t))
                {
                    return false;
                }
                value = FieldValue.Of(t);
                return true;
            case FastPath.Address:
                if ((op.Conversion == ShadowserverConversion.ValidateIp && s is "0.0.0.0" or "::") || !NetAddress.TryParse(s, out var ip))
                {
                    return false;
                }
                value = FieldValue.Of(ip);
                return true;
            case FastPath.CountryCode:
                if (s.Length != 2 || !char.IsAsciiLetterUpper(s[0]) || !char.IsAsciiLetterUpper(s[1]))
                {
                    return false;
                }
                value = Text(s, raw, in rowStart);
                return true;
            case FastPath.Fqdn:
                if (!IsLowerHostName(s))
                {
                    return false;
                }
                value = Text(s, raw, in rowStart);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A lower-case host name as <see cref="Convert"/> takes it unchanged (no trailing dot, lower case,
    /// <see cref="FieldParsers.IsFqdn"/>), in one pass: letters, digits, '-' and '_' in labels of 1 to
    /// 63, at most 253 in all. Names of digits and dots alone (which could be IPv4 addresses) and
    /// anything else are left to the general path.
    /// </summary>
    static bool IsLowerHostName(ReadOnlySpan<char> s)
    {
        if (s.Length > 253)
        {
            return false;
        }
        var label = 0;
        var digitsOnly = true;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (label == 0)
                {
                    return false;
                }
                label = 0;
                continue;
            }
            if (c is (>= 'a' and <= 'z') or '-' or '_')
            {
                digitsOnly = false;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            if (++label > 63)
            {
                return false;
            }
        }
        return label != 0 && !digitsOnly;
    }

    /// <summary>Whether a column of a common kind has no value (empty, or "nothing" by its conversion), as <see cref="Convert"/> decides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool IsAbsentFast(FastPath fast, ColumnOp op, ReadOnlySpan<char> s) =>
        s.IsEmpty ||
        (fast == FastPath.Text && op.Conversion == ShadowserverConversion.ValidateToNone && IsNoneToken(s)) ||
        (fast == FastPath.Number && op.Conversion == ShadowserverConversion.InvalidateZero && s is "0");

    /// <summary>IntelMQ validate_to_none: '0' and 'unknown' (any case) mean "no value", as the empty text does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool IsNoneToken(ReadOnlySpan<char> s) =>
        s.Length == 1 ? s[0] == '0' : s.Length == 7 && s.Equals("unknown", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The column's text as Sep's unescaping gives it: a value starting with a quote loses that quote,
    /// each closing quote and the first of each doubled quote ("a""b" is a"b); others are as they are.
    /// A plain quoted value ("low") is the part between its quotes, in place; only a value with quotes
    /// inside is copied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ReadOnlySpan<char> ColText(ReadOnlySpan<char> col)
    {
        if (col.IsEmpty || col[0] != '"')
        {
            return col;
        }
        if (col.Length >= 2 && col[^1] == '"' && !HasQuote(col[1..^1]))
        {
            return col[1..^1];
        }
        return Unescape(col);
    }

    /// <summary>
    /// <see cref="ColText(ReadOnlySpan{char})"/> for a column of the row whose quotes are mapped in
    /// <paramref name="quotes"/>: whether a quoted value has a quote inside is a look at the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ReadOnlySpan<char> ColText(ReadOnlySpan<char> col, QuoteMap quotes, ref readonly char rowStart)
    {
        if (col.IsEmpty || col[0] != '"')
        {
            return col;
        }
        if (col.Length >= 2 && col[^1] == '"')
        {
            var offset = Unsafe.ByteOffset(in rowStart, in MemoryMarshal.GetReference(col)) / sizeof(char);
            var inner = col[1..^1];
            // Sep's columns lie inside its row; the plain scan is there should one ever not.
            if ((nuint)offset < (nuint)quotes.Length && (nuint)col.Length <= (nuint)(quotes.Length - offset)
                ? !quotes.AnyIn((int)offset + 1, inner.Length)
                : !HasQuote(inner))
            {
                return inner;
            }
        }
        return Unescape(col);
    }

    /// <summary>
    /// <see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/> after a look at both ends: values that
    /// start and end with a visible ASCII character (nearly all) are returned as they are.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ReadOnlySpan<char> TrimFast(ReadOnlySpan<char> s) =>
        s.IsEmpty || ((uint)(s[0] - '!') <= '~' - '!' && (uint)(s[^1] - '!') <= '~' - '!') ? s : s.Trim();

    // Most values are short: a plain loop beats the call into the vectorised search (measured).
    static bool HasQuote(ReadOnlySpan<char> s)
    {
        if (s.Length > 32)
        {
            return s.Contains('"');
        }
        foreach (var c in s)
        {
            if (c == '"')
            {
                return true;
            }
        }
        return false;
    }

    static string Unescape(ReadOnlySpan<char> col)
    {
        var chars = new char[col.Length];
        var n = 0;
        var quotes = 1; // past the opening quote
        for (var i = 1; i < col.Length; i++)
        {
            var c = col[i];
            if (c == '"')
            {
                quotes++;
                if ((quotes & 1) == 0)
                {
                    continue;
                }
            }
            chars[n++] = c;
        }
        return new string(chars, 0, n);
    }

    /// <summary>Where the row's copy is: <see cref="Length"/> characters of <see cref="Source"/> (a chunk) from <see cref="Start"/>.</summary>
    readonly record struct RowText(string Source, int Start, int Length);

    /// <summary>
    /// The column's text as a slice of the raw row when it lies in Sep's row buffer (which Sep leaves
    /// as read, so the row copy has the same characters at the same offset), else a string (a value
    /// that had doubled quotes undone).
    /// </summary>
    static FieldValue Text(ReadOnlySpan<char> trimmed, RowText raw, ref readonly char rowStart)
    {
        var offset = Unsafe.ByteOffset(in rowStart, in MemoryMarshal.GetReference(trimmed)) / sizeof(char);
        if ((nuint)offset <= (nuint)raw.Length && (nuint)trimmed.Length <= (nuint)(raw.Length - offset))
        {
            Debug.Assert(raw.Source.AsSpan(raw.Start + (int)offset, trimmed.Length).SequenceEqual(trimmed));
            return FieldValue.OfSlice(raw.Source, raw.Start + (int)offset, trimmed.Length);
        }
        return FieldValue.Of(trimmed.ToString());
    }

    static bool IsLower(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsAsciiLetterUpper(c) || c > 127)
            {
                return false;
            }
        }
        return true;
    }

    static bool TryParseUInt(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 19)
        {
            return false;
        }
        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }
            value = (value * 10) + d;
        }
        return true;
    }

    /// <summary>IntelMQ convert_bool: y/yes/true/t/1 and n/no/false/f/0, any case.</summary>
    static bool TryParseBool(ReadOnlySpan<char> s, out bool value)
    {
        if (s.Length == 1)
        {
            switch (s[0])
            {
                case 'Y' or 'y' or 'T' or 't' or '1':
                    value = true;
                    return true;
                case 'N' or 'n' or 'F' or 'f' or '0':
                    value = false;
                    return true;
            }
        }
        return FieldParsers.TryParseBool(s, out value);
    }

    static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// Time stamps: the usual "yyyy-MM-dd HH:mm:ss" (UTC) and the RFC 1123 HTTP date
    /// ("Thu, 19 Apr 2018 00:02:28 GMT", scan_http's http_date) are parsed by hand because
    /// they are on every row; anything else goes through <see cref="FieldParsers.TryParseTime"/>.
    /// </summary>
    static bool TryParseTime(ReadOnlySpan<char> s, out DateTime utc)
    {
        if (s.Length == 29 && s[3] == ',' && s[4] == ' ' && s[7] == ' ' && s[11] == ' ' && s[16] == ' ' && s[19] == ':' && s[22] == ':' && s[25] == ' ' && s.EndsWith(" GMT"))
        {
            var month = MonthIndex(s.Slice(8, 3));
            if (month >= 0 && TryParseUInt(s.Slice(5, 2), out var d) && TryParseUInt(s.Slice(12, 4), out var y) &&
                TryParseUInt(s.Slice(17, 2), out var h) && TryParseUInt(s.Slice(20, 2), out var mi) && TryParseUInt(s.Slice(23, 2), out var sec) &&
                y is >= 1 and <= 9999 && d >= 1 && (int)d <= DateTime.DaysInMonth((int)y, month + 1) && h < 24 && mi < 60 && sec < 60)
            {
                utc = new DateTime((int)y, month + 1, (int)d, (int)h, (int)mi, (int)sec, DateTimeKind.Utc);
                return true;
            }
        }
        return FieldParsers.TryParseTime(s, out utc);
    }

    static int MonthIndex(ReadOnlySpan<char> m)
    {
        for (var i = 0; i < s_months.Length; i++)
        {
            if (m.SequenceEqual(s_months[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// IntelMQ extract_cve_from_tag: the CVE ids among the tag's items, sorted, joined by ';';
    /// nothing when there is none. Shadowserver separates tags with ';' or ','. The usual case, one
    /// id already in lower case, comes back as <paramref name="single"/>, a slice of the tag, and no
    /// string is made.
    /// </summary>
    static string? ExtractCves(ReadOnlySpan<char> tag, out ReadOnlySpan<char> single)
    {
        single = default;
        if (tag.IndexOf("cve-", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return null;
        }
        ReadOnlySpan<char> first = default;
        List<string>? found = null;
        foreach (var range in tag.SplitAny(";,"))
        {
            var t = tag[range].Trim();
            if (!IsCve(t))
            {
                continue;
            }
            if (found is null)
            {
                if (first.IsEmpty)
                {
                    first = t;
                    continue;
                }
                if (t.Equals(first, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                found = [first.ToString().ToLowerInvariant()];
            }
            var id = t.ToString().ToLowerInvariant();
            if (!found.Contains(id))
            {
                found.Add(id);
            }
        }
        if (found is null)
        {
            if (first.IsEmpty)
            {
                return null;
            }
            if (IsLower(first))
            {
                single = first;
                return null;
            }
            return first.ToString().ToLowerInvariant();
        }
        found.Sort(StringComparer.Ordinal);
        return string.Join(';', found);
    }

    static bool IsCve(ReadOnlySpan<char> t)
    {
        if (t.Length < 10 || !t.StartsWith("cve-", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = t[4..];
        var dash = rest.IndexOf('-');
        return dash > 0 && dash < rest.Length - 1 && !rest[..dash].ContainsAnyExceptInRange('0', '9') && !rest[(dash + 1)..].ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>IntelMQ force_base64: values already in base64 stay; anything else is base64-encoded (UTF-8).</summary>
    static string ForceBase64(ReadOnlySpan<char> s)
    {
        if (Base64.IsValid(s))
        {
            return s.ToString();
        }
        var bytes = Encoding.UTF8.GetBytes(s.ToString());
        return System.Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// IntelMQ convert_http_host_and_url: Shadowserver splits URLs into host and path; join them,
    /// with the scheme from the application column (or https for port 443), else keep the value.
    /// </summary>
    static string? HttpHostAndUrl(ColumnOp op, CsvRowReader row, ReadOnlySpan<char> value)
    {
        var host = op.HttpHostCol >= 0 && op.HttpHostCol < row.ColCount ? ColText(row.Col(op.HttpHostCol)).Trim() : default;
        var app = op.ApplicationCol >= 0 && op.ApplicationCol < row.ColCount ? ColText(row.Col(op.ApplicationCol)).Trim() : default;
        var url = op.UrlCol >= 0 && op.UrlCol < row.ColCount ? ColText(row.Col(op.UrlCol)).Trim() : default;
        var httpUrl = op.HttpUrlCol >= 0 && op.HttpUrlCol < row.ColCount ? ColText(row.Col(op.HttpUrlCol)).Trim() : default;
        if (!host.IsEmpty)
        {
            var path = app is "http" or "https" && !url.IsEmpty ? url : httpUrl;
            if (!path.IsEmpty)
            {
                if (path.Contains("://", StringComparison.Ordinal))
                {
                    return path.ToString();
                }
                string scheme;
                if (app is "http" or "https")
                {
                    scheme = app.ToString();
                }
                else
                {
                    scheme = op.DstPortCol >= 0 && op.DstPortCol < row.ColCount && ColText(row.Col(op.DstPortCol)).Trim() is "443" ? "https" : "http";
                }
                return string.Concat(string.Concat(scheme, "://", host), path.StartsWith('/') ? string.Empty : "/", path);
            }
        }
        return value.IsEmpty ? null : value.ToString();
    }

    static bool IsWebshell(ReadOnlySpan<char> tag)
    {
        foreach (var range in tag.SplitAny(";,"))
        {
            if (tag[range].Trim().Equals("webshell", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    static string InvalidReason(ColumnOp op, ReadOnlySpan<char> raw) =>
        string.Create(CultureInfo.InvariantCulture, $"invalid {op.Target} in column '{op.Column}': '{FieldParsers.Truncate(raw)}'");
}
