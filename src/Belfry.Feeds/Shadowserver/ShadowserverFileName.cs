using System.Globalization;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Shadowserver's report file names: <c>YYYY-MM-DD-&lt;report&gt;-&lt;details&gt;.csv</c>
/// (e.g. <c>2020-04-03-scan_ics-sample-asn-delayed.csv</c>), plus the plain <c>&lt;report&gt;.csv</c>
/// used by sample files.
/// </summary>
public static class ShadowserverFileName
{
    /// <summary>Extracts the report type from a file name (a path is allowed); false when the name follows neither form.</summary>
    public static bool TryGetReportType(string? fileName, out string reportType)
    {
        reportType = string.Empty;
        if (string.IsNullOrEmpty(fileName))
        {
            return false;
        }
        var name = Path.GetFileName(fileName.AsSpan());
        if (!name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        name = name[..^4];
        // ^\d{4}-\d{2}-\d{2}-([^-]+)-.+$  (report-filename.md, expression 1)
        if (name.Length > 11 && IsDate(name[..10]) && name[10] == '-')
        {
            var rest = name[11..];
            var dash = rest.IndexOf('-');
            if (dash <= 0 || dash == rest.Length - 1)
            {
                return false;
            }
            reportType = rest[..dash].ToString();
            return true;
        }
        if (name.IsEmpty || name.Contains('-') || name.Contains(' '))
        {
            return false;
        }
        reportType = name.ToString();
        return true;
    }

    /// <summary>The name Shadowserver gives a report file, e.g. <c>2026-11-30-scan_http-belgium-geo.csv</c>.</summary>
    public static string For(string reportType, DateOnly day, string details = "belgium-geo") =>
        string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd}-{reportType}-{details}.csv");

    static bool IsDate(ReadOnlySpan<char> s) =>
        s.Length == 10 && s[4] == '-' && s[7] == '-' &&
        char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && char.IsAsciiDigit(s[3]) &&
        char.IsAsciiDigit(s[5]) && char.IsAsciiDigit(s[6]) && char.IsAsciiDigit(s[8]) && char.IsAsciiDigit(s[9]);
}
