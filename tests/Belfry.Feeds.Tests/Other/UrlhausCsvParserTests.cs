using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class UrlhausCsvParserTests
{
    // Invented rows in the layout of csv_recent (documentation addresses and names).
    const string Sample = """
        ################################################################
        # abuse.ch URLhaus Database Dump (CSV - recent URLs)           #
        # Last updated: 2024-03-01 10:05:03 (UTC)                      #
        #                                                              #
        # Terms Of Use: https://urlhaus.abuse.ch/api/                  #
        # For questions please contact urlhaus [at] abuse.ch           #
        ################################################################
        #
        # id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
        "2800001","2024-03-01 10:01:07","http://192.0.2.15:45412/Mozi.m","online","2024-03-01 10:01:07","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/2800001/","lrz_urlhaus"
        "2800000","2024-03-01 09:58:41","https://Files.Example.com/invoice.zip","offline","","malware_download","zip","https://urlhaus.abuse.ch/url/2800000/","researcher1"
        "2799999","2024-03-01 09:50:00","http://www..example.net/x.exe","online","","malware_download","exe","https://urlhaus.abuse.ch/url/2799999/","anon"
        "2799998","not a date","http://198.51.100.7/a","online","","malware_download","","https://urlhaus.abuse.ch/url/2799998/","anon"
        "2799997","2024-03-01 09:40:00","http://198.51.100.8/b
        """;

    [Fact]
    public void Parse_RecentDump_MapsUrlHostAndExtras()
    {
        var sink = Run(new UrlhausCsvParser(), Sample, "csv.txt");

        Assert.Equal(2, sink.Events.Count);
        var e = sink.Events[0];
        AssertCommon(e, "URLhaus", """
            "2800001","2024-03-01 10:01:07","http://192.0.2.15:45412/Mozi.m","online","2024-03-01 10:01:07","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/2800001/","lrz_urlhaus"
            """);
        Assert.Equal("http://192.0.2.15:45412/Mozi.m", Field(e, Fields.SourceUrl));
        Assert.Equal("192.0.2.15", Field(e, Fields.SourceIp));
        Assert.Equal(45412, e.GetInteger(Fields.SourcePort));
        Assert.False(e.Contains(Fields.SourceFqdn));
        Assert.Equal("malware-distribution", Field(e, Fields.ClassificationType));
        Assert.Equal("malicious-code", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal("2024-03-01T10:01:07+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("online", Field(e, "status"));
        Assert.Equal(2800001, e.GetInteger("extra.urlhaus_id"));
        Assert.Equal("elf,Mozi", Field(e, "extra.tags"));
        Assert.Equal("malware_download", Field(e, "extra.threat"));
        Assert.Equal("2024-03-01 10:01:07", Field(e, "extra.last_online"));
        Assert.Equal("https://urlhaus.abuse.ch/url/2800001/", Field(e, "extra.urlhaus_link"));
        Assert.Equal("lrz_urlhaus", Field(e, "extra.reporter"));
        Assert.Equal("Abuse.ch", Field(e, Fields.FeedProvider));

        var f = sink.Events[1];
        Assert.Equal("files.example.com", Field(f, Fields.SourceFqdn));
        Assert.False(f.Contains(Fields.SourceIp));
        Assert.False(f.Contains(Fields.SourcePort));
        Assert.False(f.Contains("extra.last_online"));
    }

    [Fact]
    public void Parse_RecentDump_BadRowsRejectedWithLineAndReason()
    {
        var sink = Run(new UrlhausCsvParser(), Sample, "csv.txt");

        Assert.Equal([12L, 13L, 14L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("valid DNS name", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("time.source", sink.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("unterminated", sink.Rejections[2].Reason, StringComparison.Ordinal);
        Assert.All(sink.Rejections, r => Assert.Equal("URLhaus", r.Feed));
        Assert.All(sink.Rejections, r => Assert.Equal("csv.txt", r.File));
    }

    [Fact]
    public void Parse_OlderHeaderWithoutLastOnline_ColumnsFollowTheHeader()
    {
        const string input = """
            # id,dateadded,url,url_status,threat,tags,urlhaus_link,reporter
            "100","2019-05-01 00:00:01","http://203.0.113.9/bins/x86","offline","malware_download","elf","https://urlhaus.abuse.ch/url/100/","someone"
            """;

        var e = Assert.Single(Run(new UrlhausCsvParser(), input).Events);

        Assert.Equal("offline", Field(e, "status"));
        Assert.Equal("malware_download", Field(e, "extra.threat"));
        Assert.Equal("someone", Field(e, "extra.reporter"));
        Assert.False(e.Contains("extra.last_online"));
    }
}
