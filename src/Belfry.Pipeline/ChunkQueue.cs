using System.Collections.Concurrent;
using Belfry.Core.Events;
using Belfry.Storage;

namespace Belfry.Pipeline;

/// <summary>
/// One unit of the parse→store hand-off: a chunk of encoded rows (or, for a store that takes only
/// <see cref="Event"/> objects, a batch of events) with the rejections parsed alongside it.
/// </summary>
public sealed record StoreChunk(List<Event>? Events, EncodedEventBatch? Encoded, List<QuarantinedRecord> Rejections);

/// <summary>
/// The boundary between the parse and the store stages, where a transport can sit (today an
/// in-process bounded queue; a message stream for scale-out). The parser blocks in <see cref="Add"/>
/// when the boundary is full, which is the pipeline's back-pressure.
/// </summary>
public interface IChunkQueue : IDisposable
{
    /// <summary>Hands a chunk to the store side; blocks while the queue is full.</summary>
    void Add(StoreChunk chunk, CancellationToken ct);

    /// <summary>The parser is done: no more chunks come (those queued are still consumed).</summary>
    void Complete();

    /// <summary>The store failed: drops what waits and makes a waiting parser's <see cref="Add"/> throw, so nothing hangs.</summary>
    void Abort();

    /// <summary>Waits up to <paramref name="waitMs"/> for the next chunk; false when none came or the queue is done.</summary>
    bool TryTake(out StoreChunk chunk, int waitMs, CancellationToken ct);

    /// <summary>The chunks until the parser completes.</summary>
    IEnumerable<StoreChunk> Consume(CancellationToken ct);
}

/// <summary>The in-process boundary: a bounded queue of chunks, counting its highest fill.</summary>
public sealed class BoundedChunkQueue(int capacity) : IChunkQueue
{
    readonly BlockingCollection<StoreChunk> _queue = new(capacity);
    int _peak;

    public int Capacity { get; } = capacity;

    /// <summary>The most chunks that were waiting at once (back-pressure shows as a peak at <see cref="Capacity"/>).</summary>
    public int PeakCount => Volatile.Read(ref _peak);

    public void Add(StoreChunk chunk, CancellationToken ct)
    {
        _queue.Add(chunk, ct);
        var count = _queue.Count;
        if (count > Volatile.Read(ref _peak))
        {
            Volatile.Write(ref _peak, count); // only the parser thread writes
        }
    }

    public void Complete() => _queue.CompleteAdding();

    public void Abort()
    {
        _queue.CompleteAdding();
        // Let go of what was waiting so a parser blocked on a full queue wakes up.
        while (_queue.TryTake(out _))
        {
        }
    }

    public bool TryTake(out StoreChunk chunk, int waitMs, CancellationToken ct) => _queue.TryTake(out chunk!, waitMs, ct);

    public IEnumerable<StoreChunk> Consume(CancellationToken ct) => _queue.GetConsumingEnumerable(ct);

    public void Dispose() => _queue.Dispose();
}
