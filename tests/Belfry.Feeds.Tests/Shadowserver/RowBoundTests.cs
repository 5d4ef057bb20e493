using System.IO.Compression;
using Belfry.Core.Net;
using Belfry.Feeds.OpenPhish;
using Belfry.Feeds.Shadowserver;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// Binary data and rows that never end in a text feed: the bad row is quarantined alone, memory stays
/// bounded while the row is read, the valid rows are kept, and a file that is mostly bad is flagged.
/// </summary>
public class RowBoundTests
{
    static readonly DateOnly s_day = new(2026, 11, 30);

    /// <summary>A row of control bytes: NUL and the rest of C0, no quote, no line end.</summary>
    static string BinaryRow()
    {
        var chars = new char[300];
        for (var i = 0; i < chars.Length; i++)
        {
            var c = (char)(i % 32);
            chars[i] = c is '\n' or '\r' ? '\0' : c;
        }
        return new string(chars);
    }

    static string[] GeneratedScanHttp(int rows)
    {
        var w = new StringWriter();
        new ShadowserverReportGenerator(ShadowserverTestData.Schema).Write(w, "scan_http", rows, [NetPrefix.Parse("198.51.100.0/24")], s_day, 7);
        return w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void ThousandValidRowsAndOneBinaryRowNearTheTop_DetectedAsShadowserver_AllThousandKeptOneQuarantined()
    {
        var lines = GeneratedScanHttp(1000).ToList();
        Assert.Equal(1001, lines.Count); // header + 1,000 rows
        lines.Insert(3, BinaryRow()); // line 4: after the header and two rows
        var text = string.Join('\n', lines) + "\n";
        var name = ShadowserverFileName.For("scan_http", s_day);
        var registry = new FeedRegistry([new ShadowserverParser(ShadowserverTestData.Schema), .. FeedRegistry.BuiltInParsers()]);

        var parser = registry.Detect(new FeedProbe(name, text[..8192]));
        var sink = new CollectingSink();
        parser.Parse(new StringReader(text), new FeedContext { FileName = name, ObservationTime = ShadowserverTestData.Observation }, sink);

        Assert.IsType<ShadowserverParser>(parser);
        Assert.Equal(1000, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(4, r.Line);
        Assert.Equal("control characters in the record (binary data): U+0000 at position 1", r.Reason);
        Assert.Equal(BinaryRow(), r.Raw);
    }

    [Fact]
    public void Detect_MostlyBinaryHead_StillRefusedAsBinary()
    {
        var registry = new FeedRegistry([new ShadowserverParser(ShadowserverTestData.Schema), .. FeedRegistry.BuiltInParsers()]);
        var head = string.Concat(Enumerable.Repeat(BinaryRow(), 20)) + "timestamp,ip,asn,geo\n";

        var ex = Assert.Throws<FeedFormatException>(() => registry.Detect(new FeedProbe("2026-11-30-scan_http-belgium-geo.csv", head)));

        Assert.Contains("is binary data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ValidRowWithControlBytesInAValue_QuarantinedAloneNeighboursKept()
    {
        var lines = GeneratedScanHttp(3);
        // The tag column of an otherwise valid row gets a BEL and an ESC.
        var bad = lines[2].Replace("\"http\",", "\"ht\u0007t\u001Bp\",", StringComparison.Ordinal);
        Assert.NotEqual(lines[2], bad);

        var sink = ShadowserverTestData.Parse(string.Join('\n', lines[0], lines[1], bad, lines[3]) + "\n", "scan_http.csv");

        Assert.Equal(2, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.StartsWith("control characters in the record (binary data): U+0007 at position ", r.Reason, StringComparison.Ordinal);
    }

    /// <summary>Text made as it is read: <paramref name="head"/>, then <paramref name="fill"/> repeated for <paramref name="fillChars"/> characters, then <paramref name="tail"/>.</summary>
    sealed class EndlessReader(string head, char fill, long fillChars, string tail) : TextReader
    {
        long _pos;

        public override int Read(Span<char> buffer)
        {
            var written = 0;
            while (written < buffer.Length)
            {
                if (_pos < head.Length)
                {
                    buffer[written++] = head[(int)_pos++];
                }
                else if (_pos < head.Length + fillChars)
                {
                    var n = (int)Math.Min(buffer.Length - written, head.Length + fillChars - _pos);
                    buffer.Slice(written, n).Fill(fill);
                    written += n;
                    _pos += n;
                }
                else if (_pos < head.Length + fillChars + tail.Length)
                {
                    buffer[written++] = tail[(int)(_pos++ - head.Length - fillChars)];
                }
                else
                {
                    break;
                }
            }
            return written;
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Peek() => -1;
    }

    [Fact]
    public void Reader_QuoteNeverClosed_BufferBoundedRowCutAtItsFirstLineAndTheLinesAfterReadAgain()
    {
        const int max = 4096;
        // A quote opens in line 1 and never closes; 8 MiB of short lines follow, then two plain rows.
        var reader = new CsvRowReader(new EndlessReader("a,\"b,c\nx,y,z\n", 'q', 8L << 20, "\nlast,row,1\nlast,row,2\n"), maxRowChars: max);
        var rows = new List<(long Line, string Row, string? Why)>();
        var largestBuffer = 0;
        while (reader.MoveNext())
        {
            largestBuffer = Math.Max(largestBuffer, reader.Buffer.Length);
            rows.Add((reader.LineNumber, reader.Row.Length > 40 ? "(long)" : reader.Row.ToString(), reader.OverlongReason));
            Assert.True(rows.Count < 100, "the reader did not make progress");
        }

        Assert.True(largestBuffer <= 4 * max + 32 * 1024 + 64, $"buffer grew to {largestBuffer} characters");
        Assert.Equal((1, "a,\"b,c", rows[0].Why), rows[0]);
        Assert.StartsWith("a quote opened in this line is not closed within 4096 characters", rows[0].Why, StringComparison.Ordinal);
        Assert.Equal((2L, "x,y,z", (string?)null), rows[1]);
        Assert.Equal((3L, "(long)"), (rows[2].Line, rows[2].Row)); // the 8 MiB line, cut too
        Assert.NotNull(rows[2].Why);
        Assert.Equal([(4L, "last,row,1", (string?)null), (5L, "last,row,2", null)], rows.Skip(3));
    }

    [Fact]
    public void Reader_LineWithoutEnd_HeadKeptRestSkippedUnbuffered()
    {
        const int max = 4096;
        var reader = new CsvRowReader(new EndlessReader("h1,h2\n", 'A', 16L << 20, "\r\nv1,v2\n"), maxRowChars: max);

        Assert.True(reader.MoveNext());
        Assert.Equal("h1,h2", reader.Row.ToString());
        Assert.True(reader.MoveNext());
        Assert.Equal(2, reader.LineNumber);
        Assert.StartsWith("row longer than 4096 characters without a line end", reader.OverlongReason, StringComparison.Ordinal);
        Assert.True(reader.Row.Length <= CsvRowReader.MaxKeptOfOverlong);
        Assert.True(reader.Buffer.Length <= 4 * max + 32 * 1024 + 64, $"buffer grew to {reader.Buffer.Length} characters");
        Assert.True(reader.MoveNext());
        Assert.Null(reader.OverlongReason);
        Assert.Equal(3, reader.LineNumber);
        Assert.Equal("v1,v2", reader.Row.ToString());
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Parse_QuoteNeverClosedInAFileLongerThanTheBound_RowRejectedTheRowsAfterItKept()
    {
        var lines = GeneratedScanHttp(9000);
        var broken = lines[1].Replace("\"http\",", "\"http,", StringComparison.Ordinal); // an odd quote: open to the end of the file
        Assert.NotEqual(lines[1], broken);
        var text = string.Join('\n', [lines[0], broken, .. lines[2..]]) + "\n";
        Assert.True(text.Length > ShadowserverParser.MaxRowChars);

        var sink = ShadowserverTestData.Parse(text, "scan_http.csv");

        Assert.Equal(8999, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2, r.Line);
        Assert.StartsWith("a quote opened in this line is not closed", r.Reason, StringComparison.Ordinal);
        Assert.Equal(broken, r.Raw);
    }

    [Fact]
    public void Gzip_DecompressingPastTheBound_StopsWithAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"belfry-bomb-{Guid.NewGuid():N}.csv.gz");
        try
        {
            using (var gz = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
            {
                var zeros = new byte[1 << 20];
                for (var i = 0; i < 8; i++)
                {
                    gz.Write(zeros);
                }
            }
            Assert.True(new FileInfo(path).Length < 64 * 1024); // small on disk, 8 MiB inside

            using var s = new BoundedReadStream(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), 1 << 20, Path.GetFileName(path));
            var buffer = new byte[64 * 1024];
            long read = 0;
            var ex = Assert.Throws<InvalidDataException>(() =>
            {
                int n;
                while ((n = s.Read(buffer)) > 0)
                {
                    read += n;
                }
            });

            Assert.Equal(1 << 20, read);
            Assert.Contains("decompresses to more than 1,048,576 bytes", ex.Message, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(path), ex.Message, StringComparison.Ordinal);
            using var whole = new BoundedReadStream(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), 8 << 20, Path.GetFileName(path));
            whole.CopyTo(Stream.Null); // exactly at the bound: fine
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(70, 930, "file f.csv: 93% of rows rejected (930 of 1,000); the 70 good rows are kept, the rest is in quarantine")]
    [InlineData(0, 5, "file f.csv: 100% of rows rejected (5 of 5); the 0 good rows are kept, the rest is in quarantine")]
    [InlineData(500, 500, null)]
    [InlineData(999, 1, null)]
    [InlineData(0, 0, null)]
    public void MostlyRejectedWarning_OnlyWhenMostRowsAreBad(long accepted, long rejected, string? expected) =>
        Assert.Equal(expected, FeedLimits.MostlyRejectedWarning("f.csv", accepted, rejected));

    [Fact]
    public void LineFeed_LineWithControlBytes_QuarantinedAloneNeighboursKept()
    {
        var text = "https://a.example/login\nhttps://b.example/\u0001\u0002x\nhttps://c.example/login\n";
        var sink = new CollectingSink();

        new OpenPhishParser().Parse(new StringReader(text), new FeedContext { FileName = "openphish-feed.txt", ObservationTime = ShadowserverTestData.Observation }, sink);

        Assert.Equal(2, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2, r.Line);
        Assert.Equal("control characters in the record (binary data): U+0001 at position 19", r.Reason);
    }
}
