namespace Belfry.Core.Constituency;

/// <summary>
/// Belgian enterprise number (KBO/BCE): ten digits, the first 0 or 1, the last two a check on
/// the first eight: 97 - (first eight mod 97). Written "0123.456.749" or "BE0123456749".
/// </summary>
public static class EnterpriseNumber
{
    public static bool TryNormalize(ReadOnlySpan<char> text, out string normalized)
    {
        normalized = string.Empty;
        Span<char> digits = stackalloc char[10];
        var n = 0;
        text = text.Trim();
        if (text.StartsWith("BE", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }
        foreach (var c in text)
        {
            if (c is '.' or ' ' or '-')
            {
                continue;
            }
            if (!char.IsAsciiDigit(c) || n == 10)
            {
                return false;
            }
            digits[n++] = c;
        }
        if (n == 9)
        {
            // Old 9-digit numbers get a leading zero.
            digits[..9].CopyTo(digits[1..]);
            digits[0] = '0';
            n = 10;
        }
        if (n != 10 || digits[0] is not ('0' or '1'))
        {
            return false;
        }
        long body = 0;
        for (var i = 0; i < 8; i++)
        {
            body = (body * 10) + (digits[i] - '0');
        }
        var check = ((digits[8] - '0') * 10) + (digits[9] - '0');
        if (97 - (body % 97) != check)
        {
            return false;
        }
        normalized = new string(digits);
        return true;
    }

    public static bool IsValid(ReadOnlySpan<char> text) => TryNormalize(text, out _);

    /// <summary>"0123.456.749" display form of a normalized number.</summary>
    public static string Format(string normalized) =>
        normalized.Length == 10 ? $"{normalized[..4]}.{normalized[4..7]}.{normalized[7..]}" : normalized;

    /// <summary>Makes a valid number from an 8-digit body (used by the demo generator).</summary>
    public static string FromBody(int body)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(body);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(body, 19_999_999);
        var check = 97 - (body % 97);
        return $"{body:D8}{check:D2}";
    }
}
