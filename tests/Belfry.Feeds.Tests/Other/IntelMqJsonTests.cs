using System.Text;
using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.IntelMq;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class IntelMqJsonTests
{
    public static TheoryData<string> ExpectedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(SharedFiles.Path("samples", "feeds", "expected-intelmq"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }
        return data;
    }

    static string EventLines(string expectedFile)
    {
        var json = File.ReadAllText(SharedFiles.Path("samples", "feeds", "expected-intelmq", expectedFile));
        using var doc = JsonDocument.Parse(json);
        var sb = new StringBuilder();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            sb.Append(e.GetRawText().Replace("\n", string.Empty, StringComparison.Ordinal)).Append('\n');
        }
        return sb.ToString();
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void Parse_ExpectedIntelMqEvents_ReadBackToTheSameValues(string expectedFile)
    {
        var sink = Run(new IntelMqJsonReader(), EventLines(expectedFile));
        var expected = ExpectedEvents(expectedFile[..^".json".Length]);
        if (expectedFile == "openphish_feed.txt.json")
        {
            // IntelMQ let "http://www..example.com/..." through; the Belfry URL rule does not (see OpenPhishParserTests).
            Assert.Equal(expected.Count, sink.Rejections.Count);
            Assert.All(sink.Rejections, r => Assert.Contains("invalid source.url", r.Reason, StringComparison.Ordinal));
            return;
        }

        Assert.Empty(sink.Rejections);
        Assert.Equal(expected.Count, sink.Events.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = sink.Events[i];
            foreach (var (key, value) in expected[i])
            {
                if (key == "raw")
                {
                    Assert.Equal(Encoding.UTF8.GetString(Convert.FromBase64String(value.GetString()!)), e.Raw);
                    continue;
                }
                Assert.True(e.TryGet(key, out var mine), $"{expectedFile}: missing {key}");
                if (mine.Kind == FieldKind.Float)
                {
                    Assert.Equal(value.GetDouble(), mine.Float); // 27.0 is 27
                    continue;
                }
                Assert.Equal(OtherTestKit.Text(value), mine.ToString());
            }
            Assert.Equal(expected[i].Count - 1, e.Count); // every key but raw is a field
            Assert.Equal(EventId.Compute(e.FeedName, e.Raw!), e.Id);
        }
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void WriteThenParse_ExpectedIntelMqEvents_RoundTripsToEqualEvents(string expectedFile)
    {
        var first = Run(new IntelMqJsonReader(), EventLines(expectedFile)).Events;
        Assert.True(first.Count > 0 || expectedFile == "openphish_feed.txt.json");

        using var stream = new MemoryStream();
        foreach (var e in first)
        {
            IntelMqJsonWriter.WriteLine(e, stream);
        }
        var second = Run(new IntelMqJsonReader(), Encoding.UTF8.GetString(stream.ToArray())).Events;

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            AssertEqualEvents(first[i], second[i]);
        }
    }

    static void AssertEqualEvents(Event a, Event b)
    {
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.Raw, b.Raw);
        Assert.Equal(a.Tlp, b.Tlp);
        Assert.Equal(a.Organisation, b.Organisation);
        Assert.Equal(a.Count, b.Count);
        foreach (var (name, value) in a.Items)
        {
            Assert.True(b.TryGet(name, out var other), $"missing {name}");
            Assert.Equal(value, other);
        }
    }

    static Event BuildEvent()
    {
        var e = new Event
        {
            Raw = "192.0.2.1,ünïcode,\"q\"",
            Tlp = Tlp.AmberStrict,
            Organisation = "org-0042",
        };
        e.Set(Fields.FeedName, "Test feed");
        e.Set(Fields.TimeSource, new DateTime(2018, 4, 19, 0, 2, 26, DateTimeKind.Utc));
        e.Set(Fields.TimeObservation, new DateTime(2018, 4, 19, 1, 0, 0, 500, DateTimeKind.Utc));
        e.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
        e.Set(Fields.SourceNetwork, FieldValue.Of(NetPrefix.Parse("2001:db8::/32")));
        e.Set(Fields.SourcePort, 443);
        e.Set(Fields.SourceAsn, 64496);
        e.Set("source.geolocation.latitude", FieldValue.Of(50.85));
        e.Set("source.tor_node", FieldValue.Of(false));
        e.Set(Fields.ClassificationType, "scanner");
        e.Set("extra.count", 7);
        e.Set("extra.ratio", FieldValue.Of(2.0));
        e.Set("extra.flag", FieldValue.Of(true));
        e.Set("extra.note", "a \"quoted\" + plus");
        e.Id = EventId.Compute("Test feed", e.Raw);
        return e;
    }

    [Fact]
    public void Write_Event_FlatSortedKeysTypedValuesBase64Raw()
    {
        var json = IntelMqJsonWriter.ToJson(BuildEvent());

        using var doc = JsonDocument.Parse(json);
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal(
            ["classification.type", "extra.count", "extra.flag", "extra.note", "extra.organisation", "extra.ratio", "feed.name", "raw",
             "source.asn", "source.geolocation.latitude", "source.ip", "source.network", "source.port", "source.tor_node",
             "time.observation", "time.source", "tlp"],
            keys);
        var o = doc.RootElement;
        Assert.Equal(JsonValueKind.Number, o.GetProperty("source.port").ValueKind);
        Assert.Equal(JsonValueKind.Number, o.GetProperty("source.asn").ValueKind);
        Assert.Equal("2.0", o.GetProperty("extra.ratio").GetRawText());
        Assert.Equal(JsonValueKind.False, o.GetProperty("source.tor_node").ValueKind);
        Assert.Equal("2018-04-19T00:02:26+00:00", o.GetProperty("time.source").GetString());
        Assert.Equal("2018-04-19T01:00:00.500000+00:00", o.GetProperty("time.observation").GetString());
        Assert.Equal("2001:db8::/32", o.GetProperty("source.network").GetString());
        Assert.Equal("AMBER+STRICT", o.GetProperty("tlp").GetString());
        Assert.Equal("org-0042", o.GetProperty("extra.organisation").GetString());
        // base64 of the UTF-8 bytes, worked out independently
        Assert.Equal("MTkyLjAuMi4xLMO8bsOvY29kZSwicSI=", o.GetProperty("raw").GetString());
        Assert.Contains("+00:00", json, StringComparison.Ordinal); // not \u002B
        Assert.DoesNotContain('\n', json);
    }

    [Fact]
    public void WriteThenParse_BuiltEvent_RoundTrips()
    {
        var e = BuildEvent();
        using var stream = new MemoryStream();
        IntelMqJsonWriter.WriteLine(e, stream);

        var back = Assert.Single(Run(new IntelMqJsonReader(), Encoding.UTF8.GetString(stream.ToArray())).Events);

        // The organisation written out is not read back: the constituency decides it again.
        Assert.Null(back.Organisation);
        e.Organisation = null;
        AssertEqualEvents(e, back);
    }

    [Fact]
    public void Parse_ExtraValues_KeepJsonTypes()
    {
        const string line = """{"feed.name":"X","extra.n":5,"extra.f":1.5,"extra.s":"5","extra.b":true,"extra.o":{"a":[1,2]},"extra.a":[1,"x"],"extra.nul":null}""";

        var e = Assert.Single(Run(new IntelMqJsonReader(), line).Events);

        Assert.Equal(FieldValue.Of(5), e.TryGet("extra.n", out var n) ? n : default);
        Assert.Equal(FieldValue.Of(1.5), e.TryGet("extra.f", out var f) ? f : default);
        Assert.Equal(FieldValue.Of("5"), e.TryGet("extra.s", out var s) ? s : default);
        Assert.Equal(FieldValue.Of(true), e.TryGet("extra.b", out var b) ? b : default);
        Assert.Equal("""{"a":[1,2]}""", Field(e, "extra.o"));
        Assert.Equal("""[1,"x"]""", Field(e, "extra.a"));
        Assert.False(e.Contains("extra.nul"));
        Assert.Equal(line, e.Raw); // no raw key: the line itself
        Assert.Equal(Observation, e.GetTime(Fields.TimeObservation));
    }

    [Theory]
    [InlineData("WHITE", Tlp.Red, Tlp.Red)]
    [InlineData("CLEAR", Tlp.Amber, Tlp.Amber)]
    [InlineData("GREEN", Tlp.AmberStrict, Tlp.AmberStrict)]
    [InlineData("AMBER", Tlp.Amber, Tlp.Amber)]
    [InlineData("RED", Tlp.Green, Tlp.Red)]
    [InlineData("AMBER+STRICT", Tlp.Clear, Tlp.AmberStrict)]
    public void Parse_Tlp_OnlyRaisesTheGivenMarking(string inInput, Tlp given, Tlp expected)
    {
        var line = $$"""{"feed.name":"X","tlp":"{{inInput}}","source.ip":"192.0.2.1"}""";

        var e = Assert.Single(Run(new IntelMqJsonReader(), line, tlp: given).Events);

        Assert.Equal(expected, e.Tlp);
        Assert.False(e.Contains("tlp"));
    }

    [Theory]
    [InlineData("""{"feed.name":"X","extra.organisation":"0200000001","source.ip":"192.0.2.1"}""")]
    [InlineData("""{"feed.name":"X","extra":{"organisation":"0200000001"},"source.ip":"192.0.2.1"}""")]
    public void Parse_OrganisationInTheInput_NotTaken(string line)
    {
        var e = Assert.Single(Run(new IntelMqJsonReader(), line).Events);

        Assert.Null(e.Organisation);
        Assert.False(e.Contains(Fields.ExtraOrganisation));
        Assert.Contains("0200000001", e.Raw, StringComparison.Ordinal); // the claim stays in the raw record
    }

    [Fact]
    public void Parse_BadLines_RejectedWithLineAndReason()
    {
        const string input = """
            {"feed.name":"X","source.ip":"192.0.2.1"}
            {"feed.name":"X","source.ip":"192.0.2.256"}
            {"feed.name":"X","raw":"!!!notbase64"}
            {"feed.name":"X","tlp":"PURPLE"}
            {"feed.name":"X","source.port":[1]}
            {"feed.name":"X",
            [1,2]
            {"feed.name":"X","source.asn":"AS64496"}
            """;

        var sink = Run(new IntelMqJsonReader(), input);

        Assert.Equal(2, sink.Events.Count);
        Assert.Equal(64496, sink.Events[1].GetInteger(Fields.SourceAsn));
        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("source.ip", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("base64", sink.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("tlp", sink.Rejections[2].Reason, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", sink.Rejections[4].Reason, StringComparison.Ordinal);
        Assert.Contains("object", sink.Rejections[5].Reason, StringComparison.Ordinal);
    }
}
