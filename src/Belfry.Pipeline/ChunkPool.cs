using System.Collections.Concurrent;
using Belfry.Storage;

namespace Belfry.Pipeline;

/// <summary>Chunks of encoded rows, reused between the parse and the store threads.</summary>
sealed class ChunkPool
{
    /// <summary>Target size of a chunk of encoded rows (one queue slot).</summary>
    public const int ChunkBytes = 1 << 20;

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
