using Belfry.Core.Events;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Bad rows are rejected with line and reason; the rows around them are kept; nothing throws.</summary>
public class ShadowserverBadInputTests
{
    // The first two data rows of the scan_http sample (2018 layout, 23 columns).
    static readonly string[] s_sample = File.ReadAllLines(SharedFiles.Path("samples", "feeds", "shadowserver", "scan_http.csv"));
    static string Header => s_sample[0];
    static string Row1 => s_sample[1];
    static string Row2 => s_sample[2];

    static CollectingSink Parse(params string[] lines) => ShadowserverTestData.Parse(string.Join('\n', lines) + "\n", "scan_http.csv");

    [Fact]
    public void Parse_WrongColumnCount_RejectedWithLineAndNeighboursKept()
    {
        var sink = Parse(Header, Row1, "\"2018-04-19 00:02:26\",\"75.74.78.113\",\"tcp\"", Row2);

        Assert.Equal(2, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Equal("expected 23 columns as in the header, found 3", r.Reason);
        Assert.Equal("Accessible-HTTP", r.Feed);
        Assert.Equal("scan_http.csv", r.File);
        Assert.Equal("\"2018-04-19 00:02:26\",\"75.74.78.113\",\"tcp\"", r.Raw);
    }

    [Fact]
    public void Parse_InvalidRequiredIp_Rejected()
    {
        var sink = Parse(Header, Row1.Replace("\"75.74.78.113\"", "\"75.74.78.999\"", StringComparison.Ordinal), Row2);

        Assert.Equal("88.162.174.130", Assert.Single(sink.Events).SourceIp.ToString());
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2, r.Line);
        Assert.Equal("invalid source.ip in column 'ip': '75.74.78.999'", r.Reason);
    }

    [Fact]
    public void Parse_EmptyRequiredIp_Rejected()
    {
        var sink = Parse(Header, Row1.Replace("\"75.74.78.113\"", "\"\"", StringComparison.Ordinal));

        Assert.Empty(sink.Events);
        Assert.Equal("required column 'ip' (source.ip) is empty", Assert.Single(sink.Rejections).Reason);
    }

    [Fact]
    public void Parse_InvalidTimestamp_Rejected()
    {
        var sink = Parse(Header, Row1, Row2.Replace("\"2018-04-19 00:02:26\"", "\"2018-13-45 00:02:26\"", StringComparison.Ordinal));

        Assert.Single(sink.Events);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Equal("invalid time.source in column 'timestamp': '2018-13-45 00:02:26'", r.Reason);
    }

    [Fact]
    public void Parse_PortOutOfRange_Rejected()
    {
        var sink = Parse(Header, Row1.Replace(",8080,", ",80800,", StringComparison.Ordinal));

        Assert.Equal("invalid source.port in column 'port': '80800'", Assert.Single(sink.Rejections).Reason);
    }

    [Fact]
    public void Parse_InvalidOptionalAsn_FieldDroppedRowKept()
    {
        // IntelMQ drops an optional value that does not validate; so does Belfry, silently.
        var sink = Parse(Header, Row1.Replace(",7922,", ",AS-X,", StringComparison.Ordinal));

        Assert.Empty(sink.Rejections);
        var e = Assert.Single(sink.Events);
        Assert.False(e.Contains(Fields.SourceAsn));
        Assert.Equal("75.74.78.113", e.SourceIp.ToString());
        Assert.Equal("US", e.GetText(Fields.SourceCc));
    }

    [Fact]
    public void Parse_BinaryGarbageLine_RejectedNeighboursKept()
    {
        var garbage = "\u0000\u0001\u00ff\ufffd\u0007PK\u0003\u0004,\u0000\u0000";
        var sink = Parse(Header, Row1, garbage, Row2);

        Assert.Equal(2, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Equal("control characters in the record (binary data): U+0000 at position 1", r.Reason);
    }

    [Fact]
    public void Parse_QuoteLeftOpenInARow_OnlyThatRowRejected()
    {
        // The open quote would take every following line into one value: each line is read again.
        var broken = Row2.Replace("\"SAINT-OUEN-LAUMONE\"", "\"SAINT-OUEN-LAUMONE", StringComparison.Ordinal);
        Assert.NotEqual(Row2, broken);
        var sink = Parse(Header, Row1, broken, Row2, "", Row1);

        Assert.Equal(3, sink.Events.Count);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Equal(broken, r.Raw);
        Assert.StartsWith("expected 23 columns as in the header, found ", r.Reason, StringComparison.Ordinal);
        Assert.Equal([Row1, Row2, Row1], sink.Events.Select(e => e.Raw).ToArray());
    }

    [Fact]
    public void Parse_TruncatedLastLine_RejectedEarlierRowsKept()
    {
        var truncated = Row2[..60];
        var sink = ShadowserverTestData.Parse(Header + "\n" + Row1 + "\n" + truncated, "scan_http.csv");

        Assert.Single(sink.Events);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Equal(truncated, r.Raw);
        Assert.StartsWith("expected 23 columns as in the header, found ", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BomAndCrlf_ParsedLikeLf()
    {
        var crlf = ShadowserverTestData.Parse("\uFEFF" + Header + "\r\n" + Row1 + "\r\n" + Row2 + "\r\n", "scan_http.csv");
        var lf = Parse(Header, Row1, Row2);

        Assert.Empty(crlf.Rejections);
        Assert.Equal(2, crlf.Events.Count);
        Assert.Equal(Row1, crlf.Events[0].Raw);
        Assert.Equal(lf.Events[1].Id, crlf.Events[1].Id);
        Assert.Equal(lf.Events[0].Items.Count(), crlf.Events[0].Items.Count());
        Assert.Equal(new DateTime(2018, 4, 19, 0, 2, 26, DateTimeKind.Utc), crlf.Events[0].TimeSource);
    }

    [Fact]
    public void Parse_HugeRow_RejectedAndNextRowKept()
    {
        var huge = Row1.Replace("\"lighttpd\"", "\"" + new string('x', 1_100_000) + "\"", StringComparison.Ordinal);
        var sink = Parse(Header, huge, Row2);

        var e = Assert.Single(sink.Events);
        Assert.Equal("88.162.174.130", e.SourceIp.ToString());
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2, r.Line);
        Assert.Equal($"row is {huge.Length} characters long; at most 1048576 are accepted", r.Reason);
        Assert.True(r.Raw.Length < 70_000);
    }

    [Fact]
    public void Parse_EmptyInput_NothingAndNoException()
    {
        var sink = ShadowserverTestData.Parse(string.Empty, "scan_http.csv");

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejections);
    }

    [Fact]
    public void Parse_HeaderOnly_NothingAndNoException()
    {
        var sink = Parse(Header);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejections);
    }

    [Fact]
    public void Parse_RequiredColumnMissingFromHeader_EveryRowRejected()
    {
        // Drop the "port" column (4th) from header and rows.
        static string DropFourth(string line)
        {
            var parts = line.Split(',');
            return string.Join(',', parts.Take(3).Concat(parts.Skip(4)));
        }
        var sink = Parse(DropFourth(Header), DropFourth(Row1), DropFourth(Row2));

        Assert.Empty(sink.Events);
        Assert.Equal([2L, 3L], sink.Rejections.Select(r => r.Line));
        Assert.All(sink.Rejections, r => Assert.Equal("required column 'port' (source.port) is not in the header", r.Reason));
    }

    [Fact]
    public void Parse_ValidRow_EventCarriesIdRawTlpAndFeedFields()
    {
        var sink = new CollectingSink();
        var observed = new DateTime(2026, 11, 30, 6, 0, 0, DateTimeKind.Utc);
        new Belfry.Feeds.Shadowserver.ShadowserverParser(ShadowserverTestData.Schema).Parse(
            new StringReader(Header + "\n" + Row1 + "\n"),
            new FeedContext { FileName = "scan_http.csv", ObservationTime = observed, Tlp = Tlp.Green },
            sink);

        var e = Assert.Single(sink.Events);
        Assert.Equal(Row1, e.Raw);
        Assert.Equal(EventId.Compute("Accessible-HTTP", Row1), e.Id);
        Assert.Equal(Tlp.Green, e.Tlp);
        Assert.Equal("Shadowserver", e.GetText(Fields.FeedProvider));
        Assert.Equal(observed, e.GetTime(Fields.TimeObservation));
        Assert.Equal(8080, e.GetInteger(Fields.SourcePort));
        Assert.Equal(7922, e.GetInteger(Fields.SourceAsn));
        Assert.Same(Fields.SourceIp, e.NameAt(IndexOf(e, Fields.SourceIp)));
    }

    [Fact]
    public void Parse_QuotedEscapesAndSpaces_TextValuesMatchTheUnescapedColumns()
    {
        // Text values are slices of the raw row only where the column is there unchanged:
        // "" escapes, quotes and surrounding spaces must still give the unescaped, trimmed text.
        var row = Row1
            .Replace("\"lighttpd\"", "\"light\"\"tpd\"\" x\"", StringComparison.Ordinal)
            .Replace("\"MIAMI\"", "\" MIAMI \"", StringComparison.Ordinal)
            .Replace("\"text/html\"", "text/html", StringComparison.Ordinal);
        var sink = Parse(Header, row);

        var e = Assert.Single(sink.Events);
        Assert.Equal(row, e.Raw);
        Assert.Equal("light\"tpd\" x", e.GetText("extra.server"));
        Assert.Equal("MIAMI", e.GetText("source.geolocation.city"));
        Assert.Equal("text/html", e.GetText("extra.content_type"));
        for (var i = 0; i < e.Count; i++)
        {
            var v = e.ValueAt(i);
            if (v.Kind == FieldKind.Text)
            {
                Assert.Equal(v.Text, v.TextSpan.ToString());
                Assert.Equal(v.Text, v.ToString());
                Assert.Equal(FieldValue.Of(v.Text!), v);
            }
        }
    }

    static int IndexOf(Event e, string name)
    {
        for (var i = 0; i < e.Count; i++)
        {
            if (e.NameAt(i) == name)
            {
                return i;
            }
        }
        return -1;
    }
}
