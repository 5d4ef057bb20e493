namespace Belfry.Core.Events;

/// <summary>
/// Events to reuse, so a parser feeding a pipeline that encodes and drops its events does not
/// allocate an event and its value array per record. Opt-in: whoever gives a parser a pool (through
/// its feed context) promises to return only events that nothing references any more. Not thread-safe:
/// rent and return on one thread (the pipeline's parse thread).
/// </summary>
public sealed class EventPool
{
    /// <summary>Events kept for reuse by default: a few expert batches.</summary>
    public const int DefaultMaxPooled = 4096;

    readonly Event[] _free;
    int _count;

    public EventPool(int maxPooled = DefaultMaxPooled)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPooled);
        _free = new Event[maxPooled];
    }

    /// <summary>Events waiting to be reused.</summary>
    public int Count => _count;

    /// <summary>
    /// An event with <paramref name="names"/> (shared) and a copy of <paramref name="values"/>, from the
    /// pool when it has one (see <see cref="Event.Reset"/>), else new.
    /// </summary>
    public Event Rent(string[] names, ReadOnlySpan<FieldValue> values, int capacity)
    {
        var e = Take();
        e.Reset(names, values, capacity);
        return e;
    }

    /// <summary>
    /// An event to fill in place (<see cref="Event.BeginFill"/>): <paramref name="values"/> has at least
    /// <paramref name="capacity"/> empty slots. Call <see cref="Event.EndFill"/> before using the event,
    /// or clear the slots written and give it back.
    /// </summary>
    public Event RentForFill(int capacity, out FieldValue[] values)
    {
        var e = Take();
        values = e.BeginFill(capacity);
        return e;
    }

    /// <summary>A pooled event when there is one, else a new empty one.</summary>
    Event Take()
    {
        if (_count == 0)
        {
            return new Event([], [], 0);
        }
        var e = _free[--_count];
        _free[_count] = null!;
        e.InPool = false;
        return e;
    }

    /// <summary>Gives <paramref name="e"/> back; it must not be used afterwards. Past the bound it is left to the GC.</summary>
    public void Return(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.InPool)
        {
            throw new InvalidOperationException("The event was returned to the pool twice.");
        }
        if (_count < _free.Length)
        {
            e.InPool = true;
            e.ClearForPool();
            _free[_count++] = e;
        }
    }
}
