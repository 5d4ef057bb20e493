using System.Diagnostics;
using Belfry.Core.Events;
using Belfry.Storage;

namespace Belfry.Pipeline;

/// <summary>The store side of the boundary: takes chunks off the queue and writes them in large transactions.</summary>
static class StoreStage
{
    /// <summary>How long an open transaction waits for the parser's next chunk before committing what it has.</summary>
    const int GroupWait = 100; // ms

    /// <summary>The store loop for a store that takes <see cref="Event"/> objects: group commit of what is queued.</summary>
    public static async Task RunEventsAsync(IBelfryStore store, IChunkQueue queue, IngestSummary summary, int maxEventsPerTransaction, CancellationToken ct)
    {
        var events = new List<Event>();
        var rejections = new List<QuarantinedRecord>();
        try
        {
            foreach (var first in queue.Consume(ct))
            {
                var sw = Stopwatch.StartNew();
                events.AddRange(first.Events!);
                rejections.AddRange(first.Rejections);
                // Group commit: take what else is already waiting, up to the transaction bound.
                while (events.Count < maxEventsPerTransaction && queue.TryTake(out var next, 0, ct))
                {
                    events.AddRange(next.Events!);
                    rejections.AddRange(next.Rejections);
                }
                if (events.Count > 0)
                {
                    var r = await store.StoreEventsAsync(events, ct).ConfigureAwait(false);
                    summary.Stored += r.Inserted;
                    summary.AlreadyStored += r.Duplicates;
                }
                if (rejections.Count > 0)
                {
                    await store.StoreRejectionsAsync(rejections, ct).ConfigureAwait(false);
                }
                summary.StoreTime += sw.Elapsed;
                // Let the stored events go before waiting for the next batch.
                events.Clear();
                rejections.Clear();
            }
        }
        catch
        {
            // Unblock a parser waiting on a full queue, then report the store failure.
            queue.Abort();
            throw;
        }
    }

    /// <summary>
    /// The store loop for pre-encoded rows: one transaction takes the chunks already queued and,
    /// while it is not full, those that arrive within <see cref="GroupWait"/>; each chunk goes back
    /// to the pool as soon as its rows are bound, so memory is bounded by the queue, not the transaction.
    /// </summary>
    public static async Task RunEncodedAsync(IEncodedEventStore store, ChunkPool chunks, IChunkQueue queue, IngestSummary summary, int maxEventsPerTransaction, CancellationToken ct)
    {
        var rejections = new List<QuarantinedRecord>();
        try
        {
            foreach (var first in queue.Consume(ct))
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
            queue.Abort();
            throw;
        }

        IEnumerable<EncodedEventBatch> Group(StoreChunk first)
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
}
