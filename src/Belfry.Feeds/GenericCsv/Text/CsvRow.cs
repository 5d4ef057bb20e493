namespace Belfry.Feeds.Text;

/// <summary>
/// Splits one CSV line into fields (RFC 4180 quoting, any single-character delimiter) without
/// copying: it keeps the field ranges, and only a field with doubled quotes is unescaped on access.
/// A row object is reused for every line of a feed.
/// </summary>
internal sealed class CsvRow
{
    /// <summary>More columns than any feed we know has; a longer row is garbage.</summary>
    public const int MaxFields = 512;

    Range[] _ranges = new Range[32];
    bool[] _escaped = new bool[32];

    public int Count { get; private set; }

    /// <summary>Splits <paramref name="line"/>; on failure <paramref name="error"/> says why.</summary>
    public bool TrySplit(ReadOnlySpan<char> line, char delimiter, bool trimSpaces, out string? error)
    {
        Count = 0;
        error = null;
        var i = 0;
        while (true)
        {
            if (Count == MaxFields)
            {
                error = $"more than {MaxFields} fields";
                return false;
            }
            var start = i;
            if (trimSpaces)
            {
                while (start < line.Length && IsSpace(line[start]) && line[start] != delimiter)
                {
                    start++;
                }
            }
            if (start < line.Length && line[start] == '"')
            {
                var j = start + 1;
                var escaped = false;
                while (true)
                {
                    var q = line[j..].IndexOf('"');
                    if (q < 0)
                    {
                        error = $"unterminated quoted field {Count + 1}";
                        return false;
                    }
                    j += q;
                    if (j + 1 < line.Length && line[j + 1] == '"')
                    {
                        escaped = true;
                        j += 2;
                        continue;
                    }
                    break;
                }
                Add(new Range(start + 1, j), escaped);
                j++;
                while (j < line.Length && line[j] != delimiter && IsSpace(line[j]))
                {
                    j++;
                }
                if (j == line.Length)
                {
                    return true;
                }
                if (line[j] != delimiter)
                {
                    error = $"text after the closing quote of field {Count}";
                    return false;
                }
                i = j + 1;
                continue;
            }
            var d = line[i..].IndexOf(delimiter);
            var end = d < 0 ? line.Length : i + d;
            var stop = end;
            if (trimSpaces)
            {
                while (stop > start && IsSpace(line[stop - 1]))
                {
                    stop--;
                }
            }
            Add(new Range(start, Math.Max(start, stop)), false);
            if (d < 0)
            {
                return true;
            }
            i = end + 1;
        }
    }

    static bool IsSpace(char c) => c is ' ' or '\t';

    void Add(Range r, bool escaped)
    {
        if (Count == _ranges.Length)
        {
            Array.Resize(ref _ranges, Count * 2);
            Array.Resize(ref _escaped, Count * 2);
        }
        _ranges[Count] = r;
        _escaped[Count] = escaped;
        Count++;
    }

    /// <summary>Field <paramref name="index"/> of <paramref name="line"/> (the line given to <see cref="TrySplit"/>), unquoted; empty when out of range.</summary>
    public ReadOnlySpan<char> Get(ReadOnlySpan<char> line, int index)
    {
        if ((uint)index >= (uint)Count)
        {
            return default;
        }
        var f = line[_ranges[index]];
        return _escaped[index] ? f.ToString().Replace("\"\"", "\"", StringComparison.Ordinal) : f;
    }
}
