using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Parsing into pooled events gives the same events as parsing into new ones.</summary>
public sealed class ShadowserverEventPoolTests
{
    /// <summary>Snapshots each event as text, then returns it at once, so every row reuses the previous row's event.</summary>
    sealed class RecyclingSink(EventPool pool) : IFeedSink
    {
        public List<string> Events { get; } = [];

        public void OnEvent(Event e)
        {
            Events.Add(Snapshot(e));
            pool.Return(e);
        }

        public void OnRejected(Rejection rejection) => Events.Add("rejected: " + rejection.Reason);
    }

    static string Snapshot(Event e) =>
        $"{e.Id} {e.Tlp} {e.Raw} | " + string.Join(" | ", e.Items.Select(kv => $"{kv.Key}={kv.Value.Kind}:{kv.Value}"));

    [Theory]
    [InlineData("scan_http", 3000, 1)]
    [InlineData("scan_ssl", 2000, 2)]
    [InlineData("blocklist", 2000, 3)]
    public void Parse_WithPool_SameEventsAsWithout(string type, int rows, int seed)
    {
        var text = new StringWriter();
        new ShadowserverReportGenerator(ShadowserverTestData.Schema).Write(text, type, rows, [NetPrefix.Parse("198.51.100.0/24")], new DateOnly(2026, 3, 1), seed);
        var csv = text.ToString();
        var fileName = $"2026-03-01-{type}-test.csv";

        var plain = ShadowserverTestData.Parse(csv, fileName);
        var pool = new EventPool();
        var recycled = new RecyclingSink(pool);
        new ShadowserverParser(ShadowserverTestData.Schema).Parse(new StringReader(csv),
            new FeedContext { FileName = fileName, ObservationTime = ShadowserverTestData.Observation, EventPool = pool }, recycled);

        var expected = plain.Events.Select(Snapshot).Concat(plain.Rejections.Select(r => "rejected: " + r.Reason)).Order(StringComparer.Ordinal).ToList();
        Assert.True(plain.Events.Count > rows / 2);
        Assert.Equal(expected, recycled.Events.Order(StringComparer.Ordinal).ToList());
        Assert.InRange(pool.Count, 1, EventPool.DefaultMaxPooled); // 1 when the parser rents (shared layouts), else the sink's events
    }

    [Fact]
    public void Parse_QuotedValues_UnescapedLikeSep()
    {
        var csv = "\"timestamp\",\"ip\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\",\"region\",\"city\",\"extra_col\"\n" +
            "\"2026-03-01 10:00:00\",\"198.51.100.7\",\"80\",\"www.example.be\",\"a \"\"quoted\"\" tag\",\"64500\",\"BE\",\" LIEGE \",\"\",\"x\"\"y\"\n";

        var e = Assert.Single(ShadowserverTestData.Parse(csv, "scan_http.csv").Events);

        Assert.Equal("www.example.be", e.GetText("source.reverse_dns"));
        Assert.Equal("LIEGE", e.GetText("source.geolocation.region"));
        Assert.Equal("x\"y", e.GetText("extra.extra_col"));
        Assert.Equal("a \"quoted\" tag", e.GetText("extra.tag"));
        Assert.False(e.Contains("source.geolocation.city"));
    }
}
