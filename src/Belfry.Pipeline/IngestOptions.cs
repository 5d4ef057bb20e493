using Belfry.Core.Events;
using Belfry.Feeds.Text;
using Belfry.Storage;

namespace Belfry.Pipeline;

public sealed record IngestOptions
{
    /// <summary>
    /// Events the experts process together. Small, so events die young (gen0) once they are
    /// encoded for the store; the store's transactions are much larger (<see cref="MaxEventsPerTransaction"/>).
    /// 256 is what `belfry bench feeds` measured and docs/code-structure.md describes.
    /// </summary>
    public int BatchSize { get; init; } = 256;

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

    /// <summary>
    /// Upper bound of the bytes one compressed input may expand to; past it the input is refused
    /// with a clear reason (a small gzip bomb must not fill the disk or run for hours).
    /// </summary>
    public long MaxDecompressedBytes { get; init; } = FeedLimits.MaxDecompressedBytes;

    /// <summary>Explicit feed name or report type (`--feed`); null detects it per file.</summary>
    public string? Feed { get; init; }

    public Tlp Tlp { get; init; } = Tlp.Amber;
}

public readonly record struct IngestProgress(string File, long BytesRead, long BytesTotal, long Events);
