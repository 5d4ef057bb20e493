using System.Diagnostics;
using System.Text;
using Belfry.Core.Events;
using Belfry.Feeds;
using Belfry.Feeds.Text;
using Belfry.Storage;

namespace Belfry.Pipeline;

/// <summary>
/// Inputs to stored events: input opening (<see cref="IngestInput"/>, gzip by content, format
/// detection) → parser → experts → row encoding on one thread, the store on another, joined by an
/// <see cref="IChunkQueue"/> (bounded: back-pressure); a chunk counts as stored only after its
/// transaction commits.
/// </summary>
public sealed class IngestPipeline(FeedRegistry registry, IReadOnlyList<IEventExpert> experts, IBelfryStore store, TimeProvider clock)
{
    /// <summary>Makes the parse→store boundary from its capacity in chunks; tests watch it, a transport can replace it.</summary>
    internal Func<int, IChunkQueue> QueueFactory { get; init; } = capacity => new BoundedChunkQueue(capacity);

    /// <summary>Files and directories (the CLI's form).</summary>
    public Task<IngestSummary> RunAsync(IReadOnlyList<string> files, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var summary = new IngestSummary();
        return RunAsync(summary, IngestInput.FromPaths(files, summary), options, progress, cancellationToken);
    }

    /// <summary>Named inputs of any source: files, uploads, mail attachments.</summary>
    public Task<IngestSummary> RunAsync(IEnumerable<IngestInput> inputs, IngestOptions options, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return RunAsync(new IngestSummary(), inputs, options, progress, cancellationToken);
    }

    async Task<IngestSummary> RunAsync(IngestSummary summary, IEnumerable<IngestInput> inputs, IngestOptions options, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = Stopwatch.StartNew();
        // A store that takes pre-encoded rows gets them from the parse thread: events then live for
        // one expert batch only, and the store thread binds bytes in large transactions.
        var encoded = store as IEncodedEventStore;
        var encoder = encoded is null ? null : await encoded.CreateRowEncoderAsync(cancellationToken).ConfigureAwait(false);
        var chunks = encoder is null ? null : new ChunkPool();
        var capacity = encoder is null ? Math.Max(1, options.QueueCapacity) : Math.Max(2, options.MaxBytesInFlight / ChunkPool.ChunkBytes);
        using var queue = QueueFactory(capacity);

        var storeTask = Task.Factory.StartNew(
            () => encoded is null || chunks is null
                ? StoreStage.RunEventsAsync(store, queue, summary, options.MaxEventsPerTransaction, cancellationToken)
                : StoreStage.RunEncodedAsync(encoded, chunks, queue, summary, options.MaxEventsPerTransaction, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
        var parseTask = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var input in inputs)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        ParseInput(input, options, queue, summary, encoder, chunks, progress, cancellationToken);
                    }
                }
                finally
                {
                    queue.Complete();
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        try
        {
            await Task.WhenAll(parseTask, storeTask).ConfigureAwait(false);
        }
        catch when (storeTask.IsFaulted)
        {
            // A store failure makes the parser's hand-off throw too; the store's is the cause.
            _ = parseTask.Exception;
            throw storeTask.Exception!.InnerException!;
        }
        summary.Elapsed = total.Elapsed;
        return summary;
    }

    void ParseInput(IngestInput input, IngestOptions options, IChunkQueue queue, IngestSummary summary, EventRowEncoder? encoder, ChunkPool? chunks, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var path = input.Name;
        var name = InputStreams.ProbeName(path);
        var length = input.Length ?? 0;
        summary.Files++;
        summary.Bytes += length;
        CountingStream? counting = null;
        Stream text;
        IFeedParser parser;
        try
        {
            counting = new CountingStream(input.Open());
            text = InputStreams.OpenText(counting, options.MaxDecompressedBytes, Path.GetFileName(path), out var head);
            parser = options.Feed is { } feed ? registry.Get(feed) : registry.Detect(new FeedProbe(name, head));
        }
        catch (Exception ex) when (ex is FeedFormatException or IOException or UnauthorizedAccessException or InvalidDataException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            counting?.Dispose();
            summary.RefusedFiles.Add(new(path, ex.Message));
            return;
        }

        // Encoded events are dropped right after encoding, so the parser may reuse them.
        var pool = encoder is not null ? new EventPool() : null;
        var context = new FeedContext { FileName = name, ObservationTime = clock.GetUtcNow().UtcDateTime, Feed = options.Feed, Tlp = options.Tlp, EventPool = pool };
        using var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var sink = new BatchingSink(experts, Math.Max(1, options.BatchSize), queue, summary, encoder, chunks, pool, path, () => clock.GetUtcNow().UtcDateTime, p => progress?.Report(new IngestProgress(path, counting.Position, length, p)), ct);
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
}
