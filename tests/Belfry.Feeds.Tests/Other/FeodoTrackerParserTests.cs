using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class FeodoTrackerParserTests
{
    [Fact]
    public void Parse_SharedSample_MatchesIntelMq()
    {
        var sink = RunSample(new FeodoTrackerJsonParser(), "abusech_feodotracker.json");
        var expected = ExpectedEvents("abusech_feodotracker.json");

        Assert.Empty(sink.Rejections);
        Assert.Equal(expected.Count, sink.Events.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertMatchesIntelMq(expected[i], sink.Events[i]);
        }
    }

    [Fact]
    public void Parse_SharedSample_RawIsTheArrayElementAndIdFollows()
    {
        var sink = RunSample(new FeodoTrackerJsonParser(), "abusech_feodotracker.json");
        var e = sink.Events[3];

        using var doc = JsonDocument.Parse(e.Raw!);
        Assert.Equal("1.234.21.73", doc.RootElement.GetProperty("ip_address").GetString());
        Assert.StartsWith("{", e.Raw, StringComparison.Ordinal);
        AssertCommon(e, "Feodo Tracker", e.Raw!);
        Assert.Equal("malicious-code", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal(Tlp.Amber, e.Tlp);
    }

    [Fact]
    public void Parse_SharedSample_TlpFromContext()
    {
        var sink = Run(new FeodoTrackerJsonParser(), ReadSample("abusech_feodotracker.json"), tlp: Tlp.Green);

        Assert.All(sink.Events, e => Assert.Equal(Tlp.Green, e.Tlp));
    }

    [Fact]
    public void Parse_BadElements_RejectedWithLineAndRestKept()
    {
        const string input = """
            [
              {"ip_address": "192.0.2.10", "port": 443, "status": "online", "first_seen": "2024-01-02 03:04:05", "malware": "QakBot"},
              {"ip_address": "192.0.2.999", "port": 443},
              "not an object",
              {"ip_address": "192.0.2.11", "port": 70000},
              {"ip_address": "192.0.2.12", "port": 8080, "first_seen": "yesterday"},
              {"ip_address": "192.0.2.13", "port": 8443, "first_seen": "2024-01-02 03:04:06", "malware": "Emotet"}
            ]
            """;

        var sink = Run(new FeodoTrackerJsonParser(), input);

        Assert.Equal(["192.0.2.10", "192.0.2.13"], sink.Events.Select(e => Field(e, Fields.SourceIp)));
        Assert.Equal("qakbot", Field(sink.Events[0], Fields.MalwareName));
        Assert.Equal("2024-01-02T03:04:05+00:00", Field(sink.Events[0], Fields.TimeSource));
        Assert.Equal([3L, 4L, 5L, 6L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("source.ip", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("object", sink.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("source.port", sink.Rejections[2].Reason, StringComparison.Ordinal);
        Assert.Contains("time.source", sink.Rejections[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedArray_KeepsCompleteElementsAndRejectsTheRest()
    {
        const string input = "[\n{\"ip_address\": \"192.0.2.20\", \"port\": 447},\n{\"ip_address\": \"192.0.2.21\", \"po";

        var sink = Run(new FeodoTrackerJsonParser(), input);

        Assert.Equal("192.0.2.20", Field(Assert.Single(sink.Events), Fields.SourceIp));
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(3, r.Line);
        Assert.Contains("truncated", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNestedElement_RejectedNotThrown()
    {
        var deep = new string('[', 100) + new string(']', 100);
        var input = $"[{{\"ip_address\": \"192.0.2.30\", \"x\": {deep}}}, {{\"ip_address\": \"192.0.2.31\"}}]";

        var sink = Run(new FeodoTrackerJsonParser(), input);

        Assert.Equal("192.0.2.31", Field(Assert.Single(sink.Events), Fields.SourceIp));
        Assert.Contains("invalid JSON", Assert.Single(sink.Rejections).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ThrowsFeedFormatException()
    {
        Assert.Throws<FeedFormatException>(() => Run(new FeodoTrackerJsonParser(), "192.0.2.1\n192.0.2.2\n"));
    }

    [Fact]
    public void Parse_TextBlockList_OneC2PerLineWithListTime()
    {
        const string input = """
            #################################################################
            # abuse.ch Feodo Tracker Botnet C2 IP Blocklist (RECOMMENDED)   #
            # Last updated: 2024-02-10 11:16:32 UTC                         #
            #################################################################
            #
            # DstIP
            192.0.2.50
            198.51.100.51
            not-an-ip
            2001:db8::52
            # END 3 entries
            """;

        var sink = Run(new FeodoTrackerTextParser(), input, "ipblocklist_recommended.txt");

        Assert.Equal(["192.0.2.50", "198.51.100.51", "2001:db8::52"], sink.Events.Select(e => Field(e, Fields.SourceIp)));
        var e = sink.Events[0];
        AssertCommon(e, "Feodo Tracker", "192.0.2.50");
        Assert.Equal("c2-server", Field(e, Fields.ClassificationType));
        Assert.Equal("2024-02-10T11:16:32+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("https://feodotracker.abuse.ch/downloads/ipblocklist_recommended.txt", Field(e, Fields.FeedUrl));
        Assert.Equal(9, Assert.Single(sink.Rejections).Line);
    }
}
