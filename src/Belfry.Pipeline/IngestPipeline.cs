using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Belfry.Core.Events;
using Belfry.Feeds;
using Belfry.Feeds.Text;
using Belfry.Storage;

namespace Belfry.Pipeline;

public sealed record IngestOptions
{
    /// <summary>
    /// Events the experts process together. Small, so events die young (gen0) once they are
    /// encoded for the store; the store's transactions are much larger (<see cref="MaxEventsPerTransaction"/>).
    /// </summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>
    /// Batches of events in flight between parsing and storing, for a store that takes only
    /// <see cref="Event"/> objects. Bounded: a slow store slows the parser instead of filling memory.
    /// </summary>
    public int QueueCapacity { get; init; } = 16;

    /// <summary>
    /// Bytes of encoded events in flight between parsing and storing, for a store that takes
    /// pre-encoded rows (<see cref="IEncodedEventStore"/>). Bounded like <see cref="QueueCapacity"/>.
    /// </summary>
    public int MaxBytesInFlight { get; init; } = 16 << 20;

    /// <summary>
    /// Upper bound of events the store writes in one transaction: the store takes what the parser
    /// has queued (and waits briefly for more) into one transaction. Every commit rewrites the pages
    /// of the random-id index that it touched, so fewer, larger commits write far less.
    /// </summary>
    public int MaxEventsPerTransaction { get; init; } = 1 << 17;

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
public sealed class IngestPipeline(FeedRegistry registry, IReadOnlyList<IEventExpert> experts, IBelfryStore store, TimeProvider clock)
{
    const int ProbeChars = 8192;

    public async Task<IngestSummary> RunAsync(IReadOnlyList<string> files, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        var summary = new IngestSummary();
        var total = Stopwatch.StartNew();
        // A store that takes pre-encoded rows gets them from the parse thread: events then live for
        // one expert batch only, and the store thread binds bytes in large transactions.
        var encoded = store as IEncodedEventStore;
        var encoder = encoded is null ? null : await encoded.CreateRowEncoderAsync(cancellationToken).ConfigureAwait(false);
        var chunks = encoder is null ? null : new ChunkPool();
        var capacity = encoder is null ? Math.Max(1, options.QueueCapacity) : Math.Max(2, options.MaxBytesInFlight / ChunkBytes);
        using var queue = new BlockingCollection<Batch>(capacity);

        var storeTask = Task.Factory.StartNew(
            () => encoded is null || chunks is null
                ? StoreLoopAsync(queue, summary, options.MaxEventsPerTransaction, cancellationToken)
                : StoreEncodedLoopAsync(encoded, chunks, queue, summary, options.MaxEventsPerTransaction, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
        var parseTask = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var file in ExpandInputs(files, summary))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        ParseFile(file, options, queue, summary, encoder, chunks, progress, cancellationToken);
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

    // .gz files are decompressed with a bound on their decompressed size (FeedLimits.MaxDecompressedBytes).
    static Stream OpenInput(string path) => FeedInput.Open(path);

    static string ProbeName(string path) => FeedInput.FeedFileName(path);

    void ParseFile(string path, IngestOptions options, BlockingCollection<Batch> queue, IngestSummary summary, EventRowEncoder? encoder, ChunkPool? chunks, IProgress<IngestProgress>? progress, CancellationToken ct)
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

        // Encoded events are dropped right after encoding, so the parser may reuse them.
        var pool = encoder is not null ? new EventPool() : null;
        var context = new FeedContext { FileName = name, ObservationTime = clock.GetUtcNow().UtcDateTime, Feed = options.Feed, Tlp = options.Tlp, EventPool = pool };
        using var counting = new CountingStream(OpenInput(path));
        using var reader = new StreamReader(counting, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var sink = new BatchingSink(this, Math.Max(1, options.BatchSize), queue, summary, encoder, chunks, pool, path, p => progress?.Report(new IngestProgress(path, counting.Position, length, p)), ct);
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
            sink.Flush(final: true);
            if (FeedLimits.MostlyRejectedWarning(name, sink.Events, sink.Rejected) is { } warning)
            {
                summary.Warnings.Add(warning);
            }
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
                events.AddRange(first.Events!);
                rejections.AddRange(first.Rejections);
                // Group commit: take what else is already waiting, up to the transaction bound.
                while (events.Count < maxEventsPerTransaction && queue.TryTake(out var next))
                {
                    events.AddRange(next.Events!);
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

    /// <summary>
    /// The store loop for pre-encoded rows: one transaction takes the chunks already queued and,
    /// while it is not full, those that arrive within <see cref="GroupWait"/>; each chunk goes back
    /// to the pool as soon as its rows are bound, so memory is bounded by the queue, not the transaction.
    /// </summary>
    static async Task StoreEncodedLoopAsync(IEncodedEventStore store, ChunkPool chunks, BlockingCollection<Batch> queue, IngestSummary summary, int maxEventsPerTransaction, CancellationToken ct)
    {
        var rejections = new List<QuarantinedRecord>();
        try
        {
            foreach (var first in queue.GetConsumingEnumerable(ct))
            {
                var sw = Stopwatch.StartNew();
                var r = await store.StoreEncodedAsync(Group(first), ct).ConfigureAwait(false);
                summary.Stored += r.Inserted;
                summary.AlreadyStored += r.Duplicates;
                if (rejections.Count > 0)
                {
                    await ((IQuarantineStore)store).StoreRejectionsAsync(rejections, ct).ConfigureAwait(false);
                }
                summary.StoreTime += sw.Elapsed;
                rejections.Clear();
            }
        }
        catch
        {
            queue.CompleteAdding();
            while (queue.TryTake(out _))
            {
            }
            throw;
        }

        IEnumerable<EncodedEventBatch> Group(Batch first)
        {
            var batch = first;
            var events = 0;
            while (true)
            {
                rejections.AddRange(batch.Rejections);
                if (batch.Encoded is { } chunk)
                {
                    events += chunk.Count;
                    yield return chunk;
                    // The store has bound the rows: the chunk can be filled again.
                    chunks.Return(chunk);
                }
                if (events >= maxEventsPerTransaction || !queue.TryTake(out batch!, GroupWait, ct))
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>How long an open transaction waits for the parser's next chunk before committing what it has.</summary>
    const int GroupWait = 100; // ms

    /// <summary>Target size of a chunk of encoded rows (one queue slot).</summary>
    const int ChunkBytes = 1 << 20;

    /// <summary>Chunks of encoded rows, reused between the parse and the store threads.</summary>
    sealed class ChunkPool
    {
        readonly ConcurrentQueue<EncodedEventBatch> _free = new();

        public EncodedEventBatch Rent() => _free.TryDequeue(out var c) ? c : new EncodedEventBatch(ChunkBytes + (ChunkBytes / 4));

        public void Return(EncodedEventBatch chunk)
        {
            chunk.Clear();
            if (chunk.Capacity <= 4 * ChunkBytes)
            {
                _free.Enqueue(chunk);
            }
        }
    }

    sealed record Batch(List<Event>? Events, EncodedEventBatch? Encoded, List<QuarantinedRecord> Rejections);

    /// <summary>Collects parser output into batches, runs the experts on each, and queues it.</summary>
    sealed class BatchingSink(IngestPipeline owner, int batchSize, BlockingCollection<Batch> queue, IngestSummary summary, EventRowEncoder? encoder, ChunkPool? chunks, EventPool? pool, string file, Action<long> onProgress, CancellationToken ct) : IFeedSink
    {
        List<Event> _events = new(batchSize);
        readonly List<Event> _rented = pool is null ? [] : new(batchSize);
        List<QuarantinedRecord> _rejections = [];
        EncodedEventBatch? _chunk;
        string? _lastFeed;
        long _lastFeedCount;

        public long Events { get; private set; }

        public long Rejected { get; private set; }

        public void OnEvent(Event e)
        {
            _events.Add(e);
            if (_events.Count >= batchSize)
            {
                Flush(final: false);
            }
        }

        public void OnRejected(Rejection r)
        {
            _rejections.Add(new QuarantinedRecord(0, owner.Now, r.Feed, r.File ?? Path.GetFileName(file), r.Line, r.Raw, r.Reason));
            var reason = ReasonKey(r.Reason);
            summary.QuarantineReasons[reason] = summary.QuarantineReasons.GetValueOrDefault(reason) + 1;
            summary.Quarantined++;
            Rejected++;
            if (_rejections.Count >= 1024)
            {
                Flush(final: true);
            }
        }

        /// <summary>Runs the experts on the batch and passes it on; <paramref name="final"/> also sends a partly filled chunk.</summary>
        public void Flush(bool final)
        {
            if (_events.Count == 0 && _rejections.Count == 0)
            {
                if (final)
                {
                    Send();
                }
                return;
            }
            var events = _events;
            var parsed = events.Count;
            if (pool is not null)
            {
                _rented.AddRange(events); // the experts drop duplicates from the batch: those go back too
            }
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
            if (encoder is null)
            {
                queue.Add(new Batch(events, null, _rejections), ct);
                _events = new List<Event>(batchSize);
                _rejections = [];
            }
            else
            {
                // Encode now, on this thread, and let the events go: only bytes cross to the store.
                _chunk ??= chunks!.Rent();
                foreach (var e in events)
                {
                    encoder.Append(e, _chunk);
                }
                events.Clear();
                if (pool is not null)
                {
                    foreach (var e in _rented)
                    {
                        pool.Return(e);
                    }
                    _rented.Clear();
                }
                if (final || _rejections.Count > 0 || _chunk.Length >= ChunkBytes)
                {
                    Send();
                }
            }
            onProgress(Events);
        }

        /// <summary>Queues the filled chunk (if any) with the rejections so far.</summary>
        void Send()
        {
            var chunk = _chunk is { Count: > 0 } c ? c : null;
            if (chunk is null && _rejections.Count == 0)
            {
                return;
            }
            queue.Add(new Batch(null, chunk, _rejections), ct);
            if (chunk is not null)
            {
                _chunk = null;
            }
            _rejections = [];
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
