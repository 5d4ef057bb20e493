using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Report type from the explicit feed, the file name (report-filename.md) and the header.</summary>
public class ShadowserverDetectionTests
{
    static string Sample(string file) => File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", file));

    [Theory]
    [InlineData("2015-01-01-dns_openresolver-sample-asn.csv", "dns_openresolver")]
    [InlineData("2020-04-03-scan_ics-sample-asn-delayed.csv", "scan_ics")]
    [InlineData("2024-07-04-dns_openresolver-123-sample-asn.csv", "dns_openresolver")]
    [InlineData("/data/in/2026-11-30-scan_http-belgium-geo.csv", "scan_http")]
    [InlineData("scan_http.csv", "scan_http")]
    public void TryGetReportType_ShadowserverNames_ReportType(string fileName, string expected)
    {
        Assert.True(ShadowserverFileName.TryGetReportType(fileName, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("2015-01-01-scan_http.csv")]
    [InlineData("my report.csv")]
    [InlineData("")]
    public void TryGetReportType_OtherNames_False(string fileName)
    {
        Assert.False(ShadowserverFileName.TryGetReportType(fileName, out _));
    }

    [Fact]
    public void FileNameFor_ScanHttp_ShadowserverStyle()
    {
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        Assert.Equal("2026-11-30-scan_http-belgium-geo.csv", generator.FileNameFor("scan_http", new DateOnly(2026, 11, 30)));
        Assert.Equal("2026-11-30-event4_sinkhole-belgium-geo.csv", generator.FileNameFor("Sinkhole-Events IPv4", new DateOnly(2026, 11, 30)));
    }

    [Theory]
    [InlineData("scan_http")]
    [InlineData("Accessible-HTTP")]
    [InlineData("accessible-http")]
    public void Parse_ExplicitFeed_OverridesFileName(string feed)
    {
        var sink = ShadowserverTestData.Parse(Sample("scan_http.csv"), "upload.csv", feed);

        Assert.Equal(2, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal("Accessible-HTTP", e.FeedName));
    }

    [Fact]
    public void Parse_UnknownExplicitFeed_ThrowsNamingFile()
    {
        var ex = Assert.Throws<FeedFormatException>(() => ShadowserverTestData.Parse(Sample("scan_http.csv"), "upload.csv", "scan_nothing"));

        Assert.Contains("'upload.csv'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'scan_nothing'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DatedFileName_UsesReportTypeFromName()
    {
        var sink = ShadowserverTestData.Parse(Sample("event4_sinkhole.csv"), "2021-03-04-event4_sinkhole-belgium-geo.csv");

        Assert.Equal(3, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal("Sinkhole-Events IPv4", e.FeedName));
    }

    [Fact]
    public void Parse_UnhelpfulNameDistinctHeader_DetectedFromHeader()
    {
        // The blocklist header fits no other report type.
        var sink = ShadowserverTestData.Parse(Sample("blocklist.csv"), "upload.csv");

        Assert.Equal(3, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal("Blocklist", e.FeedName));
    }

    [Fact]
    public void Parse_ReportTypeNotInSchemaDistinctHeader_DetectedFromHeader()
    {
        var sink = ShadowserverTestData.Parse(Sample("blocklist.csv"), "2015-01-01-dns_openresolver-sample-asn.csv");

        Assert.All(sink.Events, e => Assert.Equal("Blocklist", e.FeedName));
    }

    [Fact]
    public void Parse_AmbiguousHeader_ThrowsNamingFileAndCandidates()
    {
        // scan_http and scan6_http have the same columns: the header alone cannot tell them apart.
        var w = new StringWriter();
        new ShadowserverReportGenerator(ShadowserverTestData.Schema).Write(w, "scan_http", 3, [], new DateOnly(2026, 11, 30), 1);
        var ex = Assert.Throws<FeedFormatException>(() => ShadowserverTestData.Parse(w.ToString(), "2015-01-01-dns_openresolver-sample-asn.csv"));

        Assert.Contains("'2015-01-01-dns_openresolver-sample-asn.csv'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'dns_openresolver' from the file name is not in the schema", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fits 2 report types equally well (scan6_http, scan_http)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("YYYY-MM-DD-<report>-<details>.csv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HeaderOfAnotherFormat_ThrowsNamingFile()
    {
        var ex = Assert.Throws<FeedFormatException>(() => ShadowserverTestData.Parse("first_seen,url,threat\n2024-01-01,http://x.example/,malware\n", "urls.csv"));

        Assert.Contains("'urls.csv'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no report type of the schema has all its required columns", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "\"timestamp\",\"ip\",\"protocol\",\"port\",\"asn\",\"geo\"\n\"2018-04-19 00:02:26\",", true)]
    [InlineData(null, "\uFEFF\"timestamp\",\"protocol\",\"src_ip\",\"src_port\",\"src_asn\"\r\n", true)]
    [InlineData("2026-11-30-scan_whatever-belgium-geo.csv", "x", true)]
    [InlineData("scan_http.csv", "x", true)]
    [InlineData("urls.csv", "first_seen,url,threat\n", false)]
    [InlineData(null, "timestamp,ip,comment\n", false)]
    public void CanParse_Probe_Expected(string? fileName, string head, bool expected)
    {
        var parser = new ShadowserverParser(ShadowserverTestData.Schema);
        Assert.Equal(expected, parser.CanParse(new FeedProbe(fileName, head)));
    }
}
