using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Belfry.Cli.Demo;
using Belfry.Cli.Hosting;
using Belfry.Cli.Output;
using Belfry.Core.Events;
using Belfry.Feeds;
using Belfry.Pipeline;
using Belfry.Storage.Sqlite;

namespace Belfry.Cli.Commands;

/// <summary>
/// `belfry bench feeds`: the whole-workload benchmark of the feed pipeline on a generated
/// Shadowserver scan_http report, in a throw-away data folder.
/// </summary>
static class BenchCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows in the generated report", DefaultValueFactory = _ => 1_000_000 };
        var type = new Option<string>("--type") { Description = "Shadowserver report type", DefaultValueFactory = _ => "scan_http" };
        var keep = new Option<bool>("--keep") { Description = "Keep the generated file and database" };
        var feeds = new Command("feeds", "Benchmark: generate a report, then parse+enrich in memory and ingest end to end into SQLite") { rows, type, keep };
        feeds.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(rows), parse.GetValue(type)!, parse.GetValue(keep), parse.GetValue(GlobalOptions.Json), ct);
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"belfry: {ex.Message}");
                return 1;
            }
        });
        return new Command("bench", "Whole-workload benchmarks") { feeds };
    }

    /// <summary>How long the in-memory phases run before they are measured.</summary>
    static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    static async Task<int> RunAsync(int rows, string type, bool keep, bool json, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "belfry-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            await using var host = await BelfryHost.OpenAsync(dir, ct);
            var log = json ? TextWriter.Null : Console.Out;
            var orgs = DemoConstituency.Create();
            await host.Store.UpsertOrganisationsAsync(orgs, "belfry bench", ct);
            var schema = host.LoadShadowserverSchema();

            var sw = Stopwatch.StartNew();
            var file = await FeedsCommand.GenerateReportAsync(schema, type, rows, Path.Combine(dir, "in"), new DateOnly(2026, 11, 30), seed: 42);
            var size = new FileInfo(file).Length;
            await log.WriteLineAsync($"generated {rows:N0} rows of {type} ({size / 1048576.0:N1} MiB) in {sw.Elapsed.TotalSeconds:N1} s: {file}");

            // 1. Parse + enrich in memory, one thread, events discarded after the experts.
            var registry = host.CreateRegistry();
            var parser = registry.Detect(new FeedProbe(Path.GetFileName(file), ReadHead(file)));
            // Warm-up, so that what is measured is the steady state (as BenchmarkDotNet does): the
            // runtime compiles hot methods fully, with profile guidance, only after they have run
            // for a while (tiered compilation starts counting calls 100 ms after the last new
            // method), and a single short pass left part of the measured run on unoptimised code.
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < WarmUp)
            {
                RunParse(parser, file, [], maxRows: 100_000);
                RunParse(parser, file, await host.CreateExpertsAsync(ct), maxRows: 100_000);
            }
            await log.WriteLineAsync(GcLine());
            sw.Restart();
            var parsedOnly = RunParse(parser, file, [], maxRows: long.MaxValue);
            await log.WriteLineAsync($"parse only: {parsedOnly:N0} rows in {sw.Elapsed.TotalSeconds:N2} s = {parsedOnly / sw.Elapsed.TotalSeconds:N0} rows/s (one thread)");
            await log.WriteLineAsync(GcLine());
            var experts = await host.CreateExpertsAsync(ct);
            sw.Restart();
            var parsed = RunParse(parser, file, experts, maxRows: long.MaxValue);
            var parseSeconds = sw.Elapsed.TotalSeconds;
            var parseRate = parsed / parseSeconds;
            await log.WriteLineAsync($"parse+enrich in memory: {parsed:N0} rows in {parseSeconds:N2} s = {parseRate:N0} rows/s (one thread)");
            await log.WriteLineAsync(GcLine());

            // 2. End to end into a fresh SQLite database. The in-memory phases' experts (the dedup
            // table of a million keys) are let go first: they are not part of this workload.
            experts.Clear();
            GC.Collect();
            await using var store = new SqliteStore(Path.Combine(dir, "e2e.db"));
            await store.InitializeAsync(ct);
            var pipeline = new IngestPipeline(registry, await host.CreateExpertsAsync(ct), store, TimeProvider.System);
            var summary = await pipeline.RunAsync([file], new IngestOptions(), null, ct);
            var e2e = summary.Parsed / summary.Elapsed.TotalSeconds;
            await log.WriteLineAsync($"end to end (CSV -> parse -> ASN/constituency/dedup -> SQLite): {summary.Parsed:N0} events, {summary.Stored:N0} stored in {summary.Elapsed.TotalSeconds:N2} s = {e2e:N0} events/s");
            await log.WriteLineAsync($"  stage busy time: parse+enrich {summary.ParseTime.TotalSeconds:N2} s, store {summary.StoreTime.TotalSeconds:N2} s; quarantined {summary.Quarantined:N0}");
            await log.WriteLineAsync(GcLine());
            using var me = Process.GetCurrentProcess();
            var peak = me.PeakWorkingSet64 / 1048576.0;
            await log.WriteLineAsync($"peak working set: {peak:N0} MiB");
            var result = new BenchResult(parsed, size / 1048576.0, parseRate, e2e, summary.Stored, peak, summary.ParseTime.TotalSeconds, summary.StoreTime.TotalSeconds, summary.Elapsed.TotalSeconds);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, CliJson.Default.BenchResult));
            }
            return 0;
        }
        finally
        {
            if (!keep)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    static int[] s_lastCollections = new int[3];
    static TimeSpan s_lastPause;

    /// <summary>GC activity since the last call: collections per generation, pause time, heap and working set now.</summary>
    static string GcLine()
    {
        var counts = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var pause = GC.GetTotalPauseDuration();
        var info = GC.GetGCMemoryInfo();
        using var me = Process.GetCurrentProcess();
        var line = string.Create(CultureInfo.InvariantCulture,
            $"  gc: gen0 {counts[0] - s_lastCollections[0]}, gen1 {counts[1] - s_lastCollections[1]}, gen2 {counts[2] - s_lastCollections[2]}, paused {(pause - s_lastPause).TotalSeconds:N2} s; heap {info.HeapSizeBytes / 1048576.0:N0} MiB, committed {info.TotalCommittedBytes / 1048576.0:N0} MiB, working set {me.WorkingSet64 / 1048576.0:N0} MiB (peak {me.PeakWorkingSet64 / 1048576.0:N0})");
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/status"))
        {
            // Anonymous memory (GC heap, SQLite's page cache) apart from mapped files and shared memory.
            foreach (var l in File.ReadLines("/proc/self/status"))
            {
                if (l.StartsWith("RssAnon", StringComparison.Ordinal) || l.StartsWith("RssFile", StringComparison.Ordinal) || l.StartsWith("RssShmem", StringComparison.Ordinal))
                {
                    line += "; " + string.Join(' ', l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
                }
            }
        }
        s_lastCollections = counts;
        s_lastPause = pause;
        return line;
    }

    static string ReadHead(string file)
    {
        using var r = new StreamReader(file, Encoding.UTF8);
        var buf = new char[8192];
        var n = r.ReadBlock(buf, 0, buf.Length);
        return new string(buf, 0, n);
    }

    static long RunParse(IFeedParser parser, string file, List<IEventExpert> experts, long maxRows)
    {
        using var reader = new StreamReader(file, Encoding.UTF8, true, 1 << 16);
        // Events are dropped after the experts, like the pipeline drops them once encoded: recycled.
        var pool = new EventPool();
        var sink = new ExpertSink(experts, maxRows, pool);
        try
        {
            parser.Parse(reader, new FeedContext { FileName = Path.GetFileName(file), ObservationTime = DateTime.UtcNow, EventPool = pool }, sink);
        }
        catch (OperationCanceledException) when (sink.Done)
        {
        }
        sink.Flush();
        return sink.Count;
    }

    /// <summary>Runs the experts on batches like the pipeline does, then drops the events.</summary>
    sealed class ExpertSink(List<IEventExpert> experts, long maxRows, EventPool pool) : IFeedSink
    {
        // The pipeline's expert batch size.
        static readonly int BatchSize = new IngestOptions().BatchSize;
        readonly List<Event> _batch = new(BatchSize);
        readonly List<Event> _rented = new(BatchSize);

        public long Count { get; private set; }
        public bool Done => Count >= maxRows;

        public void OnEvent(Event e)
        {
            _batch.Add(e);
            if (_batch.Count == BatchSize)
            {
                Flush();
                if (Done)
                {
                    throw new OperationCanceledException();
                }
            }
        }

        public void OnRejected(Rejection rejection)
        {
        }

        public void Flush()
        {
            Count += _batch.Count;
            _rented.AddRange(_batch); // the experts drop duplicates from the batch: return those too
            foreach (var x in experts)
            {
                x.Process(_batch);
            }
            _batch.Clear();
            foreach (var e in _rented)
            {
                pool.Return(e);
            }
            _rented.Clear();
        }
    }

}
