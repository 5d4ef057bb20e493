using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Belfry.Core.Events;
using Belfry.Feeds;
using Belfry.Storage;

namespace Belfry.Pipeline;

public sealed record IngestOptions
{
    /// <summary>Events per batch: one store transaction each.</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>
    /// Batches in flight between parsing and storing. Bounded: a slow store slows the parser instead
    /// of filling memory. Events in memory at most: batch size x (1 parsing + queue capacity + the
    /// batches of one transaction).
    /// </summary>
    public int QueueCapacity { get; init; } = 2;

    /// <summary>
    /// Upper bound of events the store writes in one transaction: when batches wait in the queue
    /// the store takes them together (group commit). Every commit rewrites the pages of the
    /// random-id index that it touched, so fewer, larger commits write far less.
    /// </summary>
    public int MaxEventsPerTransaction { get; init; } = 3 * 8192;

    /// <summary>Explicit feed name or report type (`--feed`); null detects it per file.</summary>
    public string? Feed { get; init; }

    public Tlp Tlp { get; init; } = Tlp.Amber;
}

public readonly record struct IngestProgress(string File, long BytesRead, long BytesTotal, long Events);

/// <summary>
/// Files to stored events: collectors (file reading, format detection) → parser → experts →
/// store. Parsing and enrichment run on one thread, storing on another, joined by a bounded
/// queue of batches; a batch is counted as stored only after its transaction commits.
/// </summary>
public sealed class IngestPipeline(FeedRegistry registry, IReadOnlyList<IEventExpert> experts, IEventStore store, TimeProvider clock)
{
    const int ProbeChars = 8192;

    public async Task<IngestSummary> RunAsync(IReadOnlyList<string> files, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        var summary = new IngestSummary();
        var total = Stopwatch.StartNew();
        using var queue = new BlockingCollection<Batch>(options.QueueCapacity);

        var storeTask = Task.Factory.StartNew(() => StoreLoopAsync(queue, summary, options.MaxEventsPerTransaction, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var parseTask = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var file in ExpandInputs(files, summary))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        ParseFile(file, options, queue, summary, progress, cancellationToken);
                    }
                }
                finally
                {
                    queue.CompleteAdding();
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        try
        {
            await parseTask;
        }
        finally
        {
            // If the parser failed, the store loop still drains what was queued; if the store
            // failed, CompleteAdding above unblocks the parser.
            await storeTask;
        }
        summary.Elapsed = total.Elapsed;
        return summary;
    }

    static IEnumerable<string> ExpandInputs(IReadOnlyList<string> inputs, IngestSummary summary)
    {
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(f);
                    if (!name.StartsWith('.') && !name.EndsWith(".license", StringComparison.Ordinal))
                    {
                        yield return f;
                    }
                }
            }
            else if (File.Exists(input))
            {
                yield return input;
            }
            else
            {
                summary.RefusedFiles.Add(new(input, "no such file or directory"));
            }
        }
    }

    static Stream OpenInput(string path)
    {
        Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(s, CompressionMode.Decompress) : s;
    }

    static string ProbeName(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Path.GetFileNameWithoutExtension(path) : Path.GetFileName(path);

    void ParseFile(string path, IngestOptions options, BlockingCollection<Batch> queue, IngestSummary summary, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var name = ProbeName(path);
        var length = new FileInfo(path).Length;
        summary.Files++;
        summary.Bytes += length;
        IFeedParser parser;
        try
        {
            string head;
            using (var probe = new StreamReader(OpenInput(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            {
                var buf = new char[ProbeChars];
                var n = probe.ReadBlock(buf, 0, buf.Length);
                head = new string(buf, 0, n);
            }
            parser = options.Feed is { } feed ? registry.Get(feed) : registry.Detect(new FeedProbe(name, head));
        }
        catch (Exception ex) when (ex is FeedFormatException or IOException or UnauthorizedAccessException or InvalidDataException or KeyNotFoundException or ArgumentException)
        {
            summary.RefusedFiles.Add(new(path, ex.Message));
            return;
        }

        var context = new FeedContext { FileName = name, ObservationTime = clock.GetUtcNow().UtcDateTime, Feed = options.Feed, Tlp = options.Tlp };
        using var counting = new CountingStream(OpenInput(path));
        using var reader = new StreamReader(counting, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var sink = new BatchingSink(this, options.BatchSize, queue, summary, path, p => progress?.Report(new IngestProgress(path, counting.Position, length, p)), ct);
        var sw = Stopwatch.StartNew();
        try
        {
            parser.Parse(reader, context, sink, ct);
        }
        catch (Exception ex) when (ex is FeedFormatException or IOException or InvalidDataException or DecoderFallbackException)
        {
            summary.RefusedFiles.Add(new(path, ex.Message));
        }
        finally
        {
            sink.Flush();
            summary.ParseTime += sw.Elapsed;
            progress?.Report(new IngestProgress(path, length, length, sink.Events));
        }
    }

    async Task StoreLoopAsync(BlockingCollection<Batch> queue, IngestSummary summary, int maxEventsPerTransaction, CancellationToken ct)
    {
        var events = new List<Event>();
        var rejections = new List<QuarantinedRecord>();
        try
        {
            foreach (var first in queue.GetConsumingEnumerable(ct))
            {
                var sw = Stopwatch.StartNew();
                events.AddRange(first.Events);
                rejections.AddRange(first.Rejections);
                // Group commit: take what else is already waiting, up to the transaction bound.
                while (events.Count < maxEventsPerTransaction && queue.TryTake(out var next))
                {
                    events.AddRange(next.Events);
                    rejections.AddRange(next.Rejections);
                }
                if (events.Count > 0)
                {
                    var r = await store.StoreEventsAsync(events, ct);
                    summary.Stored += r.Inserted;
                    summary.AlreadyStored += r.Duplicates;
                }
                if (rejections.Count > 0)
                {
                    await store.StoreRejectionsAsync(rejections, ct);
                }
                summary.StoreTime += sw.Elapsed;
                // Let the stored events go before waiting for the next batch.
                events.Clear();
                rejections.Clear();
            }
        }
        catch
        {
            queue.CompleteAdding();
            // Unblock a parser waiting on a full queue, then report the store failure.
            while (queue.TryTake(out _))
            {
            }
            throw;
        }
    }

    sealed record Batch(List<Event> Events, List<QuarantinedRecord> Rejections);

    /// <summary>Collects parser output into batches, runs the experts on each, and queues it.</summary>
    sealed class BatchingSink(IngestPipeline owner, int batchSize, BlockingCollection<Batch> queue, IngestSummary summary, string file, Action<long> onProgress, CancellationToken ct) : IFeedSink
    {
        List<Event> _events = new(batchSize);
        List<QuarantinedRecord> _rejections = [];
        string? _lastFeed;
        long _lastFeedCount;

        public long Events { get; private set; }

        public void OnEvent(Event e)
        {
            _events.Add(e);
            if (_events.Count >= batchSize)
            {
                Flush();
            }
        }

        public void OnRejected(Rejection r)
        {
            _rejections.Add(new QuarantinedRecord(0, owner.Now, r.Feed, r.File ?? Path.GetFileName(file), r.Line, r.Raw, r.Reason));
            var reason = ReasonKey(r.Reason);
            summary.QuarantineReasons[reason] = summary.QuarantineReasons.GetValueOrDefault(reason) + 1;
            summary.Quarantined++;
            if (_rejections.Count >= 1024)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_events.Count == 0 && _rejections.Count == 0)
            {
                return;
            }
            var events = _events;
            var parsed = events.Count;
            foreach (var expert in owner._experts)
            {
                var before = events.Count;
                expert.Process(events);
                if (events.Count != before)
                {
                    summary.ExpertDropped[expert.Name] = summary.ExpertDropped.GetValueOrDefault(expert.Name) + (before - events.Count);
                }
            }
            summary.Parsed += parsed;
            Events += parsed;
            foreach (var e in events)
            {
                var feed = e.FeedName;
                if (!ReferenceEquals(feed, _lastFeed))
                {
                    CountFeed();
                    _lastFeed = feed;
                }
                _lastFeedCount++;
                if (e.Organisation is { } org)
                {
                    summary.EventsPerOrganisation[org] = summary.EventsPerOrganisation.GetValueOrDefault(org) + 1;
                }
                else
                {
                    summary.Unmatched++;
                }
            }
            CountFeed();
            queue.Add(new Batch(events, _rejections), ct);
            _events = new List<Event>(batchSize);
            _rejections = [];
            onProgress(Events);
        }

        void CountFeed()
        {
            if (_lastFeed is not null && _lastFeedCount > 0)
            {
                summary.EventsPerFeed[_lastFeed] = summary.EventsPerFeed.GetValueOrDefault(_lastFeed) + _lastFeedCount;
            }
            _lastFeedCount = 0;
        }

        static string ReasonKey(string reason)
        {
            var colon = reason.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && colon < 60 ? reason[..colon] : (reason.Length > 60 ? reason[..60] : reason);
        }
    }

    readonly IReadOnlyList<IEventExpert> _experts = experts;

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
