using System.Text;
using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using Belfry.Feeds.DShield;
using Belfry.Feeds.GenericCsv;
using Belfry.Feeds.IntelMq;
using Belfry.Feeds.OpenPhish;
using Belfry.Feeds.Spamhaus;
using Belfry.Feeds.Text;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

/// <summary>The same hostile inputs for every line-based parser: nothing throws, bad records are counted, the rest is kept.</summary>
public sealed class BadInputTests
{
    /// <summary>Parser, one good record, the field it sets, the expected value.</summary>
    public static TheoryData<string, string, string, string> LineParsers() => new()
    {
        { "openphish", "http://phish.example.com/a", Fields.SourceFqdn, "phish.example.com" },
        { "feodo-txt", "192.0.2.9", Fields.SourceIp, "192.0.2.9" },
        { "feodo-csv", "\"2024-01-01 00:00:00\",\"192.0.2.9\",\"443\",\"online\",\"2024-01-02\",\"QakBot\"", Fields.SourceIp, "192.0.2.9" },
        { "drop", "192.0.2.0/24 ; SBL1", Fields.SourceNetwork, "192.0.2.0/24" },
        { "asndrop", "AS64496 ; NL | X", Fields.SourceAsn, "64496" },
        { "dshield", "192.0.2.0\t192.0.2.255\t24\t5\tX\tNL\ta@example.net", Fields.SourceNetwork, "192.0.2.0/24" },
        { "urlhaus", "\"1\",\"2024-01-01 00:00:00\",\"http://192.0.2.9/x\",\"online\",\"\",\"malware_download\",\"\",\"https://urlhaus.abuse.ch/url/1/\",\"r\"", Fields.SourceIp, "192.0.2.9" },
        { "threatfox", "\"2024-01-01 00:00:00\", \"1\", \"192.0.2.9:80\", \"ip:port\", \"botnet_cc\", \"win.x\", \"\", \"X\", \"\", \"50\", \"\", \"\", \"0\", \"r\"", Fields.SourceIp, "192.0.2.9" },
        { "csv", "192.0.2.9,2024-01-01", Fields.SourceIp, "192.0.2.9" },
        { "intelmq", "{\"feed.name\":\"X\",\"source.ip\":\"192.0.2.9\"}", Fields.SourceIp, "192.0.2.9" },
    };

    static IFeedParser Parser(string name) => name switch
    {
        "openphish" => new OpenPhishParser(),
        "feodo-txt" => new FeodoTrackerTextParser(),
        "feodo-csv" => new FeodoTrackerCsvParser(),
        "drop" => new SpamhausDropParser(SpamhausList.Drop),
        "asndrop" => new SpamhausDropParser(SpamhausList.AsnDrop),
        "dshield" => new DShieldBlockParser(),
        "urlhaus" => new UrlhausCsvParser(),
        "threatfox" => new ThreatFoxParser(),
        "csv" => new GenericCsvParser(new GenericCsvOptions { FeedName = "CSV", Columns = ["source.ip", "time.source"] }),
        "intelmq" => new IntelMqJsonReader(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    static void AssertGoodTwice(CollectingSink sink, string field, string value)
    {
        Assert.Equal(2, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal(value, Field(e, field)));
    }

    [Theory]
    [MemberData(nameof(LineParsers))]
    public void Parse_BomAndCrlf_SameAsPlain(string parser, string good, string field, string value)
    {
        var sink = Run(Parser(parser), "\uFEFF" + good + "\r\n" + good + "\r\n");

        Assert.Empty(sink.Rejections);
        AssertGoodTwice(sink, field, value);
        Assert.All(sink.Events, e => Assert.Equal(good, e.Raw));
    }

    [Theory]
    [MemberData(nameof(LineParsers))]
    public void Parse_LoneCrAndNoFinalNewline_Handled(string parser, string good, string field, string value)
    {
        var sink = Run(Parser(parser), good + "\r" + good);

        Assert.Empty(sink.Rejections);
        AssertGoodTwice(sink, field, value);
    }

    [Theory]
    [MemberData(nameof(LineParsers))]
    public void Parse_HugeLine_RejectedWithItsLineNumberRestKept(string parser, string good, string field, string value)
    {
        var huge = new string('A', FeedLimits.MaxRecordChars + 10);
        var sink = Run(Parser(parser), good + "\n" + huge + "\n" + good + "\n");

        AssertGoodTwice(sink, field, value);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2, r.Line);
        Assert.Contains("longer than", r.Reason, StringComparison.Ordinal);
        Assert.True(r.Raw.Length <= FeedLimits.MaxRejectedRawChars);
    }

    [Theory]
    [MemberData(nameof(LineParsers))]
    public void Parse_BinaryGarbageLines_RejectedNotThrown(string parser, string good, string field, string value)
    {
        var rng = new Random(23768213);
        var sb = new StringBuilder(good).Append('\n');
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[rng.Next(1, 300)];
            rng.NextBytes(bytes);
            var garbage = Encoding.Latin1.GetString(bytes).Replace('\n', 'x').Replace('\r', 'x');
            // Garbage that happens to start like a comment is skipped; force it to be a record.
            sb.Append('Z').Append(garbage).Append('\n');
        }
        sb.Append(good).Append('\n');

        var sink = Run(Parser(parser), sb.ToString());

        AssertGoodTwice(sink, field, value);
        Assert.Equal(20, sink.Rejections.Count);
        Assert.Equal(Enumerable.Range(2, 20).Select(i => (long)i), sink.Rejections.Select(r => r.Line));
        Assert.All(sink.Rejections, r => Assert.False(string.IsNullOrEmpty(r.Reason)));
    }

    [Theory]
    [MemberData(nameof(LineParsers))]
    public void Parse_EmptyInput_NoEventsNoRejections(string parser, string good, string field, string value)
    {
        _ = good;
        _ = field;
        _ = value;
        var sink = Run(Parser(parser), string.Empty);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejections);
    }

    [Fact]
    public void Parse_HugeJsonElement_RejectedRestKept()
    {
        var input = "[{\"ip_address\":\"192.0.2.1\"},{\"ip_address\":\"" + new string('9', FeedLimits.MaxRecordChars) + "\"},\n{\"ip_address\":\"192.0.2.2\"}]";

        var sink = Run(new FeodoTrackerJsonParser(), input);

        Assert.Equal(2, sink.Events.Count);
        Assert.Contains("longer than", Assert.Single(sink.Rejections).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LineReader_LinesAcrossBlockBoundaries_ReadExactly()
    {
        // Lines of many lengths, CRLF split across the 16 KiB read blocks.
        var rng = new Random(4242);
        var lines = Enumerable.Range(0, 400).Select(i => new string((char)('a' + (i % 26)), rng.Next(0, 300))).ToList();
        var text = string.Join("\r\n", lines) + "\r\n";

        using var reader = new LineReader(new StringReader(text));
        var read = new List<string>();
        while (reader.TryReadLine(out var line, out var tooLong))
        {
            Assert.False(tooLong);
            read.Add(line.ToString());
        }

        Assert.Equal(lines, read);
    }

    [Fact]
    public void LineReader_DataLines_CommentsToCallbackBlanksSkippedLongLinesRejected()
    {
        var huge = new string('A', FeedLimits.MaxRecordChars + 10);
        var text = "  # first comment  \n\n \t \n data one \n" + huge + "\n;not a comment here\n#second\n";
        var sink = new CollectingSink();
        var run = new FeedRun(new FeedInfo("T", null, null), Context(), sink);
        var comments = new List<string>();

        using var reader = new LineReader(new StringReader(text));
        var read = new List<(long Line, string Raw, string Trimmed)>();
        while (reader.TryReadDataLine(run, '#', c => comments.Add(c.ToString()), TestContext.Current.CancellationToken, out var line, out var trimmed))
        {
            read.Add((reader.LineNumber, line.ToString(), trimmed.ToString()));
        }

        Assert.Equal(["# first comment", "#second"], comments);
        Assert.Equal([(4L, " data one ", "data one"), (6L, ";not a comment here", ";not a comment here")], read);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(5, r.Line);
        Assert.Equal(FeedLimits.MaxRejectedRawChars, r.Raw.Length);
    }

    [Fact]
    public void LineReader_DataLinesWithoutCommentChar_HashLineIsData()
    {
        var run = new FeedRun(new FeedInfo("T", null, null), Context(), new CollectingSink());

        using var reader = new LineReader(new StringReader("# data\n\n"));
        Assert.True(reader.TryReadDataLine(run, null, null, TestContext.Current.CancellationToken, out var line, out _));
        Assert.Equal("# data", line.ToString());
        Assert.False(reader.TryReadDataLine(run, null, null, TestContext.Current.CancellationToken, out _, out _));
    }

    [Fact]
    public void LineReader_DataLinesCancelled_ThrowsEvenOnSkippedLines()
    {
        using var cts = new CancellationTokenSource();
        var run = new FeedRun(new FeedInfo("T", null, null), Context(), new CollectingSink());
        var text = "# one\n# two\ndata\n";

        using var reader = new LineReader(new StringReader(text));
        Assert.Throws<OperationCanceledException>(() => reader.TryReadDataLine(run, '#', _ => cts.Cancel(), cts.Token, out _, out _));
        Assert.Equal(2, reader.LineNumber);
    }
}
