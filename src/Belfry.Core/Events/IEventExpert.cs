namespace Belfry.Core.Events;

/// <summary>
/// A pipeline stage that works on a batch of events in place: enriches them, or removes some
/// (deduplication, filters). Called from one thread at a time; may keep state across batches,
/// but never a reference to an event after <see cref="Process"/> returns: the pipeline recycles
/// events (see <c>FeedContext.EventPool</c>) once they are encoded for storage.
/// </summary>
public interface IEventExpert
{
    string Name { get; }

    void Process(List<Event> batch);
}
