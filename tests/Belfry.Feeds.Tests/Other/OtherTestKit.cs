using System.Text;
using System.Text.Json;
using Belfry.Core.Events;

namespace Belfry.Feeds.Tests.Other;

internal sealed class CollectingSink : IFeedSink
{
    public List<Event> Events { get; } = [];
    public List<Rejection> Rejections { get; } = [];

    public void OnEvent(Event e) => Events.Add(e);

    public void OnRejected(Rejection rejection) => Rejections.Add(rejection);
}

internal static class OtherTestKit
{
    public static readonly DateTime Observation = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    public static FeedContext Context(string? fileName = null, Tlp tlp = Tlp.Amber) =>
        new() { FileName = fileName, ObservationTime = Observation, Tlp = tlp };

    public static CollectingSink Run(IFeedParser parser, string text, string? fileName = null, Tlp tlp = Tlp.Amber)
    {
        var sink = new CollectingSink();
        parser.Parse(new StringReader(text), Context(fileName, tlp), sink, TestContext.Current.CancellationToken);
        return sink;
    }

    public static CollectingSink RunSample(IFeedParser parser, string sampleName)
    {
        var path = SharedFiles.Path("samples", "feeds", "other", sampleName);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var sink = new CollectingSink();
        parser.Parse(reader, Context(sampleName), sink, TestContext.Current.CancellationToken);
        return sink;
    }

    public static string ReadSample(string sampleName) => File.ReadAllText(SharedFiles.Path("samples", "feeds", "other", sampleName));

    /// <summary>The events of expected-intelmq/&lt;file&gt;.json, as key to JSON value.</summary>
    public static List<Dictionary<string, JsonElement>> ExpectedEvents(string fileName)
    {
        var json = File.ReadAllText(SharedFiles.Path("samples", "feeds", "expected-intelmq", fileName + ".json"));
        using var doc = JsonDocument.Parse(json);
        var list = new List<Dictionary<string, JsonElement>>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in e.EnumerateObject())
            {
                d[p.Name] = p.Value.Clone();
            }
            list.Add(d);
        }
        return list;
    }

    /// <summary>The expected value as IntelMQ text (strings as is, numbers as written).</summary>
    public static string Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();

    /// <summary>
    /// Every field IntelMQ set (but raw and time.observation, which differ by nature) has the same value
    /// in ours; ours has no field beyond those and the ones Belfry adds on purpose.
    /// </summary>
    public static void AssertMatchesIntelMq(Dictionary<string, JsonElement> expected, Event actual, params string[] allowedExtra)
    {
        foreach (var (key, value) in expected)
        {
            if (key is "raw" or "time.observation")
            {
                continue;
            }
            Assert.True(actual.TryGet(key, out var mine), $"missing {key} (expected {Text(value)})");
            Assert.Equal(Text(value), mine.ToString());
            if (value.ValueKind == JsonValueKind.Number)
            {
                Assert.Equal(FieldKind.Integer, mine.Kind);
            }
        }
        var allowed = new HashSet<string>(["feed.provider", "classification.taxonomy", "time.observation", .. allowedExtra], StringComparer.Ordinal);
        foreach (var (name, _) in actual.Items)
        {
            Assert.True(expected.ContainsKey(name) || allowed.Contains(name), $"unexpected field {name}");
        }
    }

    public static void AssertCommon(Event e, string feedName, string raw)
    {
        Assert.Equal(feedName, e.FeedName);
        Assert.Equal(raw, e.Raw);
        Assert.Equal(EventId.Compute(feedName, raw), e.Id);
        Assert.Equal(Observation, e.GetTime(Fields.TimeObservation));
    }

    public static string Field(Event e, string name) => e.GetText(name) ?? "<missing>";
}
