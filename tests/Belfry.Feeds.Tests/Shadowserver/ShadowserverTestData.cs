using Belfry.Core.Events;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Collects a parser's output for assertions.</summary>
internal sealed class CollectingSink : IFeedSink
{
    public List<Event> Events { get; } = [];

    public List<Rejection> Rejections { get; } = [];

    public void OnEvent(Event e) => Events.Add(e);

    public void OnRejected(Rejection rejection) => Rejections.Add(rejection);
}

/// <summary>The reference schema, loaded once from the shared folder, and parse helpers.</summary>
internal static class ShadowserverTestData
{
    static readonly Lazy<ShadowserverSchema> s_schema = new(() => ShadowserverSchema.Load(SchemaPath));

    public static string SchemaPath => SharedFiles.Path("reference", "shadowserver", "intelmq.json");

    public static ShadowserverSchema Schema => s_schema.Value;

    public static DateTime Observation { get; } = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);

    public static CollectingSink Parse(string text, string? fileName = null, string? feed = null)
    {
        var sink = new CollectingSink();
        new ShadowserverParser(Schema).Parse(new StringReader(text), new FeedContext { FileName = fileName, Feed = feed, ObservationTime = Observation }, sink);
        return sink;
    }
}
