using System.Text;
using Belfry.Feeds.Shadowserver;
using nietras.SeparatedValues;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// CsvRowReader against Sep (a well-tested CSV reader, with unescaping off as the parser used it):
/// the same rows and values on random CSV with quotes, quoted separators and line ends, CR, LF and
/// CRLF, blank lines, and rows across and longer than the reader's buffers. Line numbers are checked
/// against a plain character-by-character count (Sep numbers a first row without header from 2).
/// </summary>
public sealed class CsvRowReaderTests
{
    static readonly string[] s_pieces = ["a", "bc", "0", "12345", "\"q\"", "\"a,b\"", "\"x\"\"y\"", "\"line\nbreak\"", "\"cr\r\nlf\"", "", " ", "é", "\"\"", "z\"z"];

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 400)]
    [InlineData(3, 3000)]
    [InlineData(4, 20000)]
    public void MoveNext_RandomCsv_SameRowsValuesAndLinesAsSep(int seed, int rows)
    {
        var text = RandomCsv(new Random(seed), rows);

        var expected = ReadWithSep(text);
        var actual = ReadWithCsvRowReader(text);

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i].Text);
        }
        Assert.Equal(LineNumbers(text), actual.ConvertAll(r => r.Line));
    }

    /// <summary>The first line of each row, counting LF, CRLF and CR, inside quotes too.</summary>
    static List<long> LineNumbers(string text)
    {
        var lines = new List<long>();
        long line = 1;
        var inQuotes = false;
        var rowStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            if (rowStart)
            {
                lines.Add(line);
                rowStart = false;
            }
            var c = text[i];
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                line++;
                rowStart = !inQuotes;
            }
        }
        return lines;
    }

    [Fact]
    public void MoveNext_RowLongerThanABuffer_ReadWhole()
    {
        var longValue = new string('x', 100_000);
        var text = $"h1,h2\n1,{longValue}\n2,\"{longValue}\"\n3,end";

        var rows = ReadWithCsvRowReader(text);

        Assert.Equal(4, rows.Count);
        Assert.Equal($"1,{longValue}|1¦{longValue}", rows[1].Text);
        Assert.Equal($"2,\"{longValue}\"|2¦\"{longValue}\"", rows[2].Text);
        Assert.Equal("3,end|3¦end", rows[3].Text);
        Assert.Equal([1L, 2, 3, 4], rows.ConvertAll(r => r.Line));
    }

    [Fact]
    public void MoveNext_CrLfSplitAcrossReads_OneLineEnd()
    {
        // A reader that hands out one character at a time puts every CR at the end of what was read.
        var rows = new List<string>();
        var reader = new CsvRowReader(new TrickleReader("a,b\r\nc,d\r\n\r\ne,f\rg,h"));
        while (reader.MoveNext())
        {
            rows.Add($"{reader.LineNumber}|{reader.Row}|{reader.ColCount}");
        }

        Assert.Equal(["1|a,b|2", "2|c,d|2", "3||1", "4|e,f|2", "5|g,h|2"], rows);
    }

    [Fact]
    public void Rows_AfterLaterRowsAreRead_SlicesStillHoldTheirText()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i},\"value {i}\"\n"));
        var reader = new CsvRowReader(new StringReader(text));
        var slices = new List<(string Buffer, int Start, int Length)>();
        while (reader.MoveNext())
        {
            slices.Add((reader.Buffer, reader.RowStart, reader.Row.Length));
        }

        for (var i = 0; i < slices.Count; i++)
        {
            Assert.Equal($"{i},\"value {i}\"", slices[i].Buffer.Substring(slices[i].Start, slices[i].Length));
        }
        Assert.True(slices.Select(s => s.Buffer).Distinct(ReferenceEqualityComparer.Instance).Count() > 1, "the rows span several buffers");
    }

    static string RandomCsv(Random random, int rows)
    {
        var sb = new StringBuilder();
        string[] lineEnds = ["\n", "\r\n", "\r"];
        for (var r = 0; r < rows; r++)
        {
            if (random.Next(20) == 0)
            {
                sb.Append(lineEnds[random.Next(lineEnds.Length)]); // a blank line
                continue;
            }
            var cols = random.Next(1, 30);
            for (var c = 0; c < cols; c++)
            {
                if (c > 0)
                {
                    sb.Append(',');
                }
                sb.Append(random.Next(40) == 0 ? new string('w', random.Next(60, 400)) : s_pieces[random.Next(s_pieces.Length)]);
            }
            if (r < rows - 1 || random.Next(2) == 0)
            {
                sb.Append(lineEnds[random.Next(lineEnds.Length)]);
            }
        }
        return sb.ToString();
    }

    static List<string> ReadWithSep(string text)
    {
        var rows = new List<string>();
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = false, DisableColCountCheck = true }).FromText(text);
        foreach (var row in reader)
        {
            var cols = new string[row.ColCount];
            for (var i = 0; i < cols.Length; i++)
            {
                cols[i] = row[i].ToString();
            }
            rows.Add(Describe(row.Span.ToString(), cols));
        }
        return rows;
    }

    static List<(string Text, long Line)> ReadWithCsvRowReader(string text)
    {
        var rows = new List<(string, long)>();
        var reader = new CsvRowReader(new StringReader(text));
        while (reader.MoveNext())
        {
            var cols = new string[reader.ColCount];
            for (var i = 0; i < cols.Length; i++)
            {
                cols[i] = reader.Col(i).ToString();
            }
            rows.Add((Describe(reader.Row.ToString(), cols), reader.LineNumber));
        }
        return rows;
    }

    static string Describe(string row, string[] cols) =>
        cols.Length == 1 && cols[0] == row ? row : $"{row}|{string.Join('¦', cols)}";

    /// <summary>Gives out its text one character per read.</summary>
    sealed class TrickleReader(string text) : TextReader
    {
        int _at;

        public override int Read(Span<char> buffer)
        {
            if (_at >= text.Length || buffer.IsEmpty)
            {
                return 0;
            }
            buffer[0] = text[_at++];
            return 1;
        }

        public override int Peek() => _at < text.Length ? text[_at] : -1;

        public override int Read() => _at < text.Length ? text[_at++] : -1;
    }
}
