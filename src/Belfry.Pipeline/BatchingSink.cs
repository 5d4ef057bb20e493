using Belfry.Core.Events;
using Belfry.Feeds;
using Belfry.Storage;

namespace Belfry.Pipeline;

/// <summary>Collects parser output into batches, runs the experts on each, encodes it and hands it to the store stage.</summary>
sealed class BatchingSink(IReadOnlyList<IEventExpert> experts, int batchSize, IChunkQueue queue, IngestSummary summary, EventRowEncoder? encoder, ChunkPool? chunks, EventPool? pool, string file, Func<DateTime> now, Action<long> onProgress, CancellationToken ct) : IFeedSink
{
    List<Event> _events = new(batchSize);
    readonly List<Event> _rented = pool is null ? [] : new(batchSize);
    List<QuarantinedRecord> _rejections = [];
    EncodedEventBatch? _chunk;
    string? _lastFeed;
    long _lastFeedCount;

    public long Events { get; private set; }

    /// <summary>Rows of this input sent to the quarantine (for the "mostly rejected" warning).</summary>
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
        _rejections.Add(new QuarantinedRecord(0, now(), r.Feed, r.File ?? Path.GetFileName(file), r.Line, r.Raw, r.Reason));
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
        foreach (var expert in experts)
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
            queue.Add(new StoreChunk(events, null, _rejections), ct);
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
            if (final || _rejections.Count > 0 || _chunk.Length >= ChunkPool.ChunkBytes)
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
        queue.Add(new StoreChunk(null, chunk, _rejections), ct);
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
