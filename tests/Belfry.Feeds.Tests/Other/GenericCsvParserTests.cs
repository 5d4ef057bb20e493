using Belfry.Core.Events;
using Belfry.Feeds.GenericCsv;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class GenericCsvParserTests
{
    // The mapping IntelMQ's generic CSV test uses for this sample (there is no expected-intelmq file):
    // time, ignored, description, ignored, ignored, URL, IP, host name, ignored.
    static readonly GenericCsvOptions s_sampleOptions = new()
    {
        FeedName = "Sample CSV Feed",
        Delimiter = '\t',
        Columns = ["time.source", "__IGNORE__", "event_description.text", "__IGNORE__", "__IGNORE__", "source.url", "source.ip", "source.fqdn", "__IGNORE__"],
        ClassificationType = "malware-distribution",
    };

    [Fact]
    public void Parse_SharedSample_CommentsAndBlankLinesSkippedRowsMapped()
    {
        var sink = RunSample(new GenericCsvParser(s_sampleOptions), "generic_csv_sample_report.csv");

        // Values read off the sample by hand: rows 11 and 12 of the file, all else is comments/blank.
        Assert.Empty(sink.Rejections);
        Assert.Equal(2, sink.Events.Count);
        var e = sink.Events[0];
        AssertCommon(e, "Sample CSV Feed", "2015-12-14 04:19:00\tTesting\tReally bad actor site comment\tNothing\tUnimportant\twww.cennoworld.com/Payment_Confirmation/Payment_Confirmation.zip\t198.105.221.5\tmail5.bulls.unisonplatform.com\tjust another comment");
        Assert.Equal("2015-12-14T04:19:00+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("Really bad actor site comment", Field(e, "event_description.text"));
        Assert.Equal("http://www.cennoworld.com/Payment_Confirmation/Payment_Confirmation.zip", Field(e, Fields.SourceUrl));
        Assert.Equal("198.105.221.5", Field(e, Fields.SourceIp));
        Assert.Equal("mail5.bulls.unisonplatform.com", Field(e, Fields.SourceFqdn));
        Assert.Equal("malware-distribution", Field(e, Fields.ClassificationType));
        Assert.Equal("malicious-code", Field(e, Fields.ClassificationTaxonomy));
        var f = sink.Events[1];
        Assert.Equal("2016-12-14T04:19:00+00:00", Field(f, Fields.TimeSource));
        Assert.Equal("198.105.221.161", Field(f, Fields.SourceIp));
    }

    [Fact]
    public void Parse_HeaderMappingAlternativesAndTimeFormat()
    {
        var options = new GenericCsvOptions
        {
            FeedName = "Partner scanners",
            HasHeader = true,
            ColumnsByHeader = new Dictionary<string, string>
            {
                ["seen"] = "time.source",
                ["host"] = "source.ip|source.fqdn",
                ["hits"] = "extra.hits",
            },
            ClassificationType = "scanner",
            TimeFormat = "dd/MM/yyyy HH:mm",
        };
        const string input = """"
            host,comment,seen,hits
            192.0.2.7,"says ""hi""",05/02/2024 13:45,12
            scanner.example.net,,06/02/2024 00:00,x1
            bad host!,,06/02/2024 00:00,1
            192.0.2.8,,2024-02-06,1
            """";

        var sink = Run(new GenericCsvParser(options), input);

        Assert.Equal(2, sink.Events.Count);
        var e = sink.Events[0];
        Assert.Equal("192.0.2.7", Field(e, Fields.SourceIp));
        Assert.Equal("2024-02-05T13:45:00+00:00", Field(e, Fields.TimeSource));
        Assert.Equal(12, e.GetInteger("extra.hits"));
        Assert.Equal("information-gathering", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal("scanner.example.net", Field(sink.Events[1], Fields.SourceFqdn));
        Assert.Equal("x1", Field(sink.Events[1], "extra.hits"));
        Assert.Equal([4L, 5L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("column 1", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("dd/MM/yyyy HH:mm", sink.Rejections[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HeaderMissingMappedColumn_ThrowsFeedFormatException()
    {
        var options = new GenericCsvOptions
        {
            FeedName = "X",
            HasHeader = true,
            ColumnsByHeader = new Dictionary<string, string> { ["ip"] = "source.ip" },
        };

        var ex = Assert.Throws<FeedFormatException>(() => Run(new GenericCsvParser(options), "addr,when\n192.0.2.1,2024-01-01\n"));
        Assert.Contains("'ip'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_MappingFile_ReadsAllSettings()
    {
        const string json = """
            {
              "feedName": "Sample CSV Feed",
              "feedProvider": "Example CERT",
              "delimiter": "\t",
              "hasHeader": false,
              "columns": ["time.source", "__IGNORE__", "event_description.text", null, "", "source.url", "source.ip", "source.fqdn", "__IGNORE__"],
              "classificationType": "malware-distribution",
              "timeFormat": null,
              "fileNameContains": "generic_csv"
            }
            """;

        var o = GenericCsvOptions.FromJson(json);

        Assert.Equal("Sample CSV Feed", o.FeedName);
        Assert.Equal("Example CERT", o.FeedProvider);
        Assert.Equal('\t', o.Delimiter);
        Assert.False(o.HasHeader);
        Assert.Equal(9, o.Columns.Count);
        Assert.Equal("__IGNORE__", o.Columns[3]);
        Assert.Equal("malware-distribution", o.ClassificationType);
        Assert.True(o.SkipCommentLines);
        var parser = new GenericCsvParser(o);
        Assert.Equal("csv:Sample CSV Feed", parser.Name);
        Assert.True(parser.CanParse(new FeedProbe("generic_csv_sample_report.csv", "")));
        var sink = RunSample(parser, "generic_csv_sample_report.csv");
        Assert.Equal(2, sink.Events.Count);
        Assert.Equal("Example CERT", Field(sink.Events[0], Fields.FeedProvider));
    }

    [Fact]
    public void Load_FromFile_SameAsFromJson()
    {
        var path = Path.Combine(Path.GetTempPath(), $"belfry-csv-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"feedName":"F","columns":{"ip":"source.ip"},"hasHeader":true}""");
        try
        {
            var o = GenericCsvOptions.Load(path);
            Assert.Equal("source.ip", o.ColumnsByHeader!["IP"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"columns":["source.ip"]}""", "feedName")]
    [InlineData("""{"feedName":"F"}""", "columns")]
    [InlineData("""{"feedName":"F","columns":["source.nonsense"]}""", "source.nonsense")]
    [InlineData("""{"feedName":"F","columns":["source.ip"],"classificationType":"bogus"}""", "bogus")]
    [InlineData("""{"feedName":"F","columns":["source.ip"],"delimiter":";;"}""", "delimiter")]
    [InlineData("""{"feedName":"F","columns":{"ip":"source.ip"}}""", "hasHeader")]
    [InlineData("""{"feedName":"F",""", "JSON")]
    public void FromJson_BadMapping_ThrowsInvalidDataNamingTheProblem(string json, string mention)
    {
        var ex = Assert.Throws<InvalidDataException>(() => GenericCsvOptions.FromJson(json));
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
    }
}
