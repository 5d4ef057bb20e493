using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Benchmarks.Storage;

/// <summary>
/// Realistic events for storage benchmarks: a generated Shadowserver scan_http report parsed by
/// the real parser, with an organisation on most events as the constituency expert would set.
/// </summary>
public static class StorageEvents
{
    public static List<Event> ScanHttp(int rows, int seed = 42)
    {
        var schemaPath = FindSchema() ?? throw new FileNotFoundException("shared/reference/shadowserver/intelmq.json not found (set BELFRY_SHARED)");
        var schema = ShadowserverSchema.Load(schemaPath);
        var generator = new ShadowserverReportGenerator(schema);
        var day = new DateOnly(2026, 11, 30);
        using var text = new StringWriter();
        IReadOnlyList<NetPrefix> pools = [NetPrefix.Parse("198.51.100.0/24"), NetPrefix.Parse("203.0.113.0/24"), NetPrefix.Parse("192.0.2.0/24"), NetPrefix.Parse("2001:db8::/32")];
        generator.Write(text, "scan_http", rows, pools, day, seed);
        var parser = new ShadowserverParser(schema);
        var sink = new ListSink();
        parser.Parse(new StringReader(text.ToString()), new FeedContext { FileName = generator.FileNameFor("scan_http", day), ObservationTime = new DateTime(2026, 12, 1, 6, 0, 0, DateTimeKind.Utc) }, sink);
        var i = 0;
        foreach (var e in sink.Events)
        {
            if (i++ % 10 != 0)
            {
                e.Organisation = "EN" + (i % 50).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return sink.Events;
    }

    static string? FindSchema()
    {
        const string relative = "shared/reference/shadowserver/intelmq.json";
        if (Environment.GetEnvironmentVariable("BELFRY_SHARED") is { } env && File.Exists(Path.Combine(env, "reference/shadowserver/intelmq.json")))
        {
            return Path.Combine(env, "reference/shadowserver/intelmq.json");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    sealed class ListSink : IFeedSink
    {
        public List<Event> Events { get; } = [];

        public void OnEvent(Event e) => Events.Add(e);

        public void OnRejected(Rejection rejection)
        {
        }
    }
}
