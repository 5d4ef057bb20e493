using BenchmarkDotNet.Attributes;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Enrichment;
using Belfry.Feeds;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Benchmarks.Feeds;

/// <summary>
/// The feed hot path on an in-memory generated scan_http report: parse only, and parse followed by
/// the experts of the default chain (constituency, taxonomy, dedup) on batches of 256 (the pipeline's), each into new
/// events or into events recycled through an <see cref="EventPool"/> as `belfry bench feeds` and the
/// pipeline do. Results are per row (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class ShadowserverParseBenchmarks
{
    const int Rows = 100_000;
    ShadowserverWorkload _workload = null!;
    List<IEventExpert> _experts = [];

    [GlobalSetup]
    public void Setup() => _workload = ShadowserverWorkload.Create("scan_http", Rows);

    [IterationSetup(Targets = [nameof(ParseEnrich), nameof(ParseEnrichPooled)])]
    public void CreateExperts() => _experts = _workload.CreateExperts();

    [Benchmark(OperationsPerInvoke = Rows)]
    public long Parse() => _workload.Run([]);

    [Benchmark(OperationsPerInvoke = Rows)]
    public long ParseEnrich() => _workload.Run(_experts);

    [Benchmark(OperationsPerInvoke = Rows)]
    public long ParsePooled() => _workload.Run([], new EventPool());

    [Benchmark(OperationsPerInvoke = Rows)]
    public long ParseEnrichPooled() => _workload.Run(_experts, new EventPool());
}

/// <summary>A generated Shadowserver report held in memory, a parser, and the default expert chain.</summary>
public sealed class ShadowserverWorkload
{
    static readonly DateOnly s_day = new(2026, 11, 30);

    ShadowserverWorkload(ShadowserverParser parser, string report, string fileName, ConstituencyIndex index)
    {
        Parser = parser;
        Report = report;
        FileName = fileName;
        Index = index;
    }

    public ShadowserverParser Parser { get; }
    public string Report { get; }
    public string FileName { get; }
    public ConstituencyIndex Index { get; }

    public static ShadowserverWorkload Create(string reportType, int rows)
    {
        var schema = ShadowserverSchema.Load(FindSchema());
        var orgs = Organisations();
        var pools = new List<NetPrefix>(orgs.SelectMany(o => o.Prefixes)) { NetPrefix.Parse("203.0.113.0/24"), NetPrefix.Parse("192.0.2.0/24") };
        var generator = new ShadowserverReportGenerator(schema);
        var w = new StringWriter();
        generator.Write(w, reportType, rows, pools, s_day, seed: 42);
        return new ShadowserverWorkload(new ShadowserverParser(schema), w.ToString(), generator.FileNameFor(reportType, s_day), new ConstituencyIndex(orgs));
    }

    /// <summary>The expert chain of <c>belfry bench feeds</c> (no AS number table): fresh state.</summary>
    public List<IEventExpert> CreateExperts() =>
        [new ConstituencyExpert(Index), new TaxonomyExpert(), new DeduplicatorExpert(new DedupOptions())];

    /// <summary>
    /// Parses the whole report, running the experts on batches of 256 (the pipeline's); returns the rows parsed. With a
    /// pool, every event of a batch (dropped duplicates included) goes back to it after the experts.
    /// </summary>
    public long Run(List<IEventExpert> experts, EventPool? pool = null)
    {
        var sink = new BatchSink(experts, pool);
        Parser.Parse(new StringReader(Report), new FeedContext { FileName = FileName, ObservationTime = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), EventPool = pool }, sink);
        sink.Flush();
        return sink.Count;
    }

    static List<Organisation> Organisations()
    {
        var orgs = new List<Organisation>();
        for (var i = 0; i < 14; i++)
        {
            orgs.Add(new Organisation
            {
                Id = EnterpriseNumber.FromBody(i + 1),
                Name = $"org {i}",
                Prefixes = [new NetPrefix(NetAddress.FromV4(0xC612_0000u + ((uint)i << 11)), 21), NetPrefix.Parse($"2001:db8:{i + 1:x}::/48")],
                Asns = [64500 + i],
                Domains = [$"org{i}.example"],
            });
        }
        return orgs;
    }

    static string FindSchema()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "reference", "shadowserver", "intelmq.json"), Path.Combine(dir.FullName, "..", "shared", "reference", "shadowserver", "intelmq.json") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return "/work/shared/reference/shadowserver/intelmq.json";
    }

    sealed class BatchSink(List<IEventExpert> experts, EventPool? pool) : IFeedSink
    {
        const int BatchSize = 256; // IngestOptions.BatchSize
        readonly List<Event> _batch = new(BatchSize);
        readonly List<Event> _all = new(BatchSize);

        public long Count { get; private set; }

        public void OnEvent(Event e)
        {
            _batch.Add(e);
            if (_batch.Count == BatchSize)
            {
                Flush();
            }
        }

        public void OnRejected(Rejection rejection)
        {
        }

        public void Flush()
        {
            Count += _batch.Count;
            if (pool is not null)
            {
                _all.AddRange(_batch);
            }
            foreach (var x in experts)
            {
                x.Process(_batch);
            }
            _batch.Clear();
            if (pool is not null)
            {
                foreach (var e in _all)
                {
                    pool.Return(e);
                }
                _all.Clear();
            }
        }
    }
}
