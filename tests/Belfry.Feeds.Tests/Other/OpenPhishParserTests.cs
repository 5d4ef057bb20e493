using Belfry.Core.Events;
using Belfry.Feeds.OpenPhish;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class OpenPhishParserTests
{
    [Fact]
    public void Parse_SharedSample_EmptyLabelHostsRejectedUnlikeIntelMq()
    {
        // IntelMQ accepts "http://www..example.com/phishing" (see expected-intelmq). Belfry rejects it:
        // "www..example.com" has an empty DNS label (RFC 1035 §2.3.1), so no resolver can look it up,
        // nobody can be phished there, no constituent owns it, and as an ISP block-list entry it
        // matches nothing. The record goes to quarantine with the reason, where an analyst sees it.
        var expected = ExpectedEvents("openphish_feed.txt");
        Assert.Equal(2, expected.Count);

        var sink = RunSample(new OpenPhishParser(), "openphish_feed.txt");

        Assert.Empty(sink.Events);
        Assert.Equal([1L, 2L], sink.Rejections.Select(r => r.Line));
        Assert.Equal("http://www..example.com/phishing", sink.Rejections[0].Raw);
        Assert.All(sink.Rejections, r => Assert.Contains("valid DNS name", r.Reason, StringComparison.Ordinal));
        Assert.All(sink.Rejections, r => Assert.Equal("OpenPhish", r.Feed));
    }

    [Fact]
    public void Parse_ValidUrls_MatchIntelMqFieldsPlusHost()
    {
        const string input = "https://login.example.com/secure/verify.php\r\nhttp://198.51.100.23/paypal/\r\n\r\nhttps://Bank.Example.org:8443/x?y=1\r\n";

        var sink = Run(new OpenPhishParser(), input);

        Assert.Empty(sink.Rejections);
        Assert.Equal(3, sink.Events.Count);
        var e = sink.Events[0];
        AssertCommon(e, "OpenPhish", "https://login.example.com/secure/verify.php");
        Assert.Equal("phishing", Field(e, Fields.ClassificationType));
        Assert.Equal("fraud", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal("https://www.openphish.com/feed.txt", Field(e, Fields.FeedUrl));
        Assert.Equal("https://login.example.com/secure/verify.php", Field(e, Fields.SourceUrl));
        Assert.Equal("login.example.com", Field(e, Fields.SourceFqdn));
        Assert.Equal("198.51.100.23", Field(sink.Events[1], Fields.SourceIp));
        Assert.Equal("bank.example.org", Field(sink.Events[2], Fields.SourceFqdn));
    }
}
