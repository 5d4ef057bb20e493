using Belfry.Core.Events;
using Belfry.Feeds.DShield;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class DShieldBlockParserTests
{
    [Fact]
    public void Parse_SharedSample_MatchesIntelMq()
    {
        var sink = RunSample(new DShieldBlockParser(), "dshield_block.txt");
        var expected = ExpectedEvents("dshield_block.txt");

        Assert.Empty(sink.Rejections);
        Assert.Equal(expected.Count, sink.Events.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertMatchesIntelMq(expected[i], sink.Events[i]);
        }
        AssertCommon(sink.Events[0], "DShield Block", "43.229.53.0\t43.229.53.255\t24\t788\tJapan Inet\tJP\tadmin@v6nic.net");
    }

    [Fact]
    public void Parse_SharedSample_RawKeepsTheTrailingTabsIntelMqDrops()
    {
        var sink = RunSample(new DShieldBlockParser(), "dshield_block.txt");

        // Raw is the record as received; IntelMQ strips the empty trailing columns.
        Assert.Equal("194.63.140.0\t194.63.140.255\t24\t585\t\t\t", sink.Events[1].Raw);
    }

    [Fact]
    public void Parse_BadRanges_Rejected()
    {
        const string input = "#    updated: Tue Feb  6 09:03:01 2024 UTC\n" +
            "Start\tEnd\tNetblock\tAttacks\tName\tCountry\temail\n" +
            "192.0.2.0\t192.0.2.255\t24\t100\tExample Net\tNL\tabuse@example.net\n" +
            "198.51.100.0\t198.51.100.200\t24\t50\t\t\t\n" +
            "203.0.113.0\t203.0.113.255\t25\t50\t\t\t\n" +
            "203.0.113.x\t203.0.113.255\t24\t50\t\t\t\n" +
            "just garbage\n";

        var sink = Run(new DShieldBlockParser(), input);

        var e = Assert.Single(sink.Events);
        Assert.Equal("192.0.2.0/24", Field(e, Fields.SourceNetwork));
        Assert.Equal("2024-02-06T09:03:01+00:00", Field(e, Fields.TimeSource));
        Assert.Equal(100, e.GetInteger("extra.attacks"));
        Assert.Equal("abuse@example.net", Field(e, Fields.SourceAbuseContact));
        Assert.Equal([4L, 5L, 6L, 7L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("not one CIDR block", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("does not match", sink.Rejections[1].Reason, StringComparison.Ordinal);
    }
}
