using Belfry.Core.Events;
using Belfry.Feeds.Spamhaus;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class SpamhausDropParserTests
{
    [Fact]
    public void Parse_SharedDropSample_MatchesIntelMq()
    {
        var sink = RunSample(new SpamhausDropParser(SpamhausList.Drop), "spamhaus_drop.txt");
        var expected = ExpectedEvents("spamhaus_drop.txt");

        Assert.Empty(sink.Rejections);
        Assert.Equal(expected.Count, sink.Events.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertMatchesIntelMq(expected[i], sink.Events[i]);
        }
        AssertCommon(sink.Events[0], "Spamhaus drop feed", "1.4.0.0/17 ; SBL256893");
        Assert.Equal("abusive-content", Field(sink.Events[0], Fields.ClassificationTaxonomy));
    }

    [Fact]
    public void Parse_Edrop_FeedNamedAfterTheList()
    {
        const string input = """
            ; Spamhaus EDROP List 2024/01/15 - (c) 2024 The Spamhaus Project SLU
            ; https://www.spamhaus.org/drop/edrop.txt
            ; Last-Modified: Mon, 15 Jan 2024 08:12:44 GMT
            ; Expires: Tue, 16 Jan 2024 08:12:44 GMT
            198.51.100.0/24 ; SBL999001
            203.0.113.0/25 ; SBL999002
            300.1.2.0/24 ; SBL999003
            192.0.2.0/33 ; SBL999004
            """;

        var sink = Run(new SpamhausDropParser(SpamhausList.Edrop), input, "edrop.txt");

        Assert.Equal(["198.51.100.0/24", "203.0.113.0/25"], sink.Events.Select(e => Field(e, Fields.SourceNetwork)));
        var e = sink.Events[1];
        AssertCommon(e, "Spamhaus edrop feed", "203.0.113.0/25 ; SBL999002");
        Assert.Equal("https://www.spamhaus.org/drop/edrop.txt", Field(e, Fields.FeedUrl));
        Assert.Equal("SBL999002", Field(e, "extra.blocklist"));
        Assert.Equal("spam", Field(e, Fields.ClassificationType));
        Assert.Equal("2024-01-15T08:12:44+00:00", Field(e, Fields.TimeSource));
        Assert.Equal([7L, 8L], sink.Rejections.Select(r => r.Line));
        Assert.All(sink.Rejections, r => Assert.Contains("source.network", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_AsnDropText_AsnCountryAndName()
    {
        const string input = """
            ; Spamhaus ASN-DROP List 2024/01/15 - (c) 2024 The Spamhaus Project SLU
            ; https://www.spamhaus.org/drop/asndrop.txt
            ; Last-Modified: Mon, 15 Jan 2024 08:12:44 GMT
            AS64496 ; NL | EXAMPLE-AS-ONE
            AS64511 ; US | Example Transit, Inc.
            ASfoo ; XX | bad
            """;

        var sink = Run(new SpamhausDropParser(SpamhausList.AsnDrop), input, "asndrop.txt");

        Assert.Equal(2, sink.Events.Count);
        var e = sink.Events[0];
        AssertCommon(e, "Spamhaus asndrop feed", "AS64496 ; NL | EXAMPLE-AS-ONE");
        Assert.Equal(64496, e.GetInteger(Fields.SourceAsn));
        Assert.Equal("NL", Field(e, Fields.SourceCc));
        Assert.Equal("EXAMPLE-AS-ONE", Field(e, Fields.SourceAsName));
        Assert.Equal("spam", Field(e, Fields.ClassificationType));
        Assert.Equal("2024-01-15T08:12:44+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("Example Transit, Inc.", Field(sink.Events[1], Fields.SourceAsName));
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(6, r.Line);
        Assert.Contains("source.asn", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DropJsonLines_TimeFromTrailingMetadata()
    {
        // 1705306364 = 2024-01-15T08:12:44Z
        const string input = """
            {"cidr":"192.0.2.0/24","sblid":"SBL999010","rir":"ripencc"}
            {"cidr":"198.51.100.0/23","sblid":"SBL999011","rir":"arin"}
            {"cidr":"not-a-prefix","sblid":"SBL999012","rir":"arin"}
            {"cidr":"2001:db8::/32","sblid":"SBL999013","rir":"ripencc"
            {"type":"metadata","timestamp":1705306364,"size":1234,"records":4,"copyright":"(c) 2024 The Spamhaus Project SLU","terms":"https://www.spamhaus.org/drop/terms/"}
            """;

        var sink = Run(new SpamhausDropParser(SpamhausList.Drop), input, "drop_v4.json");

        Assert.Equal(["192.0.2.0/24", "198.51.100.0/23"], sink.Events.Select(e => Field(e, Fields.SourceNetwork)));
        var e = sink.Events[0];
        AssertCommon(e, "Spamhaus drop feed", """{"cidr":"192.0.2.0/24","sblid":"SBL999010","rir":"ripencc"}""");
        Assert.Equal("SBL999010", Field(e, "extra.blocklist"));
        Assert.Equal("ripencc", Field(e, "extra.rir"));
        Assert.Equal("https://www.spamhaus.org/drop/drop_v4.json", Field(e, Fields.FeedUrl));
        Assert.All(sink.Events, x => Assert.Equal("2024-01-15T08:12:44+00:00", Field(x, Fields.TimeSource)));
        Assert.Equal([3L, 4L], sink.Rejections.Select(r => r.Line));
    }

    [Fact]
    public void Parse_AsnDropJsonLines_AsnFields()
    {
        const string input = """
            {"asn":64496,"rir":"ripencc","domain":"example.net","cc":"NL","asname":"EXAMPLE-AS-ONE"}
            {"asn":"AS64500","rir":"arin","cc":"US","asname":"EXAMPLE-TWO"}
            {"type":"metadata","timestamp":1705306364,"size":200,"records":2}
            """;

        var sink = Run(new SpamhausDropParser(SpamhausList.AsnDrop), input, "asndrop.json");

        Assert.Empty(sink.Rejections);
        Assert.Equal([64496L, 64500L], sink.Events.Select(e => e.GetInteger(Fields.SourceAsn)!.Value));
        var e = sink.Events[0];
        Assert.Equal("NL", Field(e, Fields.SourceCc));
        Assert.Equal("EXAMPLE-AS-ONE", Field(e, Fields.SourceAsName));
        Assert.Equal("example.net", Field(e, "extra.domain"));
        Assert.Equal("2024-01-15T08:12:44+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("https://www.spamhaus.org/drop/asndrop.json", Field(e, Fields.FeedUrl));
    }

    [Fact]
    public void Parse_JsonLinesWithoutMetadata_EventsStillEmittedWithoutTime()
    {
        var sink = Run(new SpamhausDropParser(SpamhausList.Drop), """{"cidr":"192.0.2.0/24","sblid":"SBL1"}""");

        Assert.False(Assert.Single(sink.Events).Contains(Fields.TimeSource));
    }
}
