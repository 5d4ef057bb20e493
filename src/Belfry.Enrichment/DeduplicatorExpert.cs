using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// Drops an event when an event with the same key (the values of <see cref="DedupOptions.KeyFields"/>)
/// was kept within <see cref="DedupOptions.Window"/>, measured on time.source (else
/// time.observation, else the clock). Keys are 128-bit XXH128 hashes of the typed field values,
/// computed without building strings; memory is bounded by <see cref="DedupOptions.MaxEntries"/>,
/// the oldest keys being forgotten first.
/// </summary>
public sealed class DeduplicatorExpert : IEventExpert, IExpertCounters
{
    readonly string[] _keyFields;
    readonly long _windowTicks;
    readonly long _expireTicks;
    readonly int _maxEntries;
    readonly TimeProvider _clock;
    readonly XxHash128 _hash = new();
    readonly Dictionary<UInt128, Seen> _seen;

    // Insertion order, for eviction: a ring of (key, sequence, time). An item whose sequence no
    // longer matches its key's entry is stale (the key was re-armed later) and is skipped.
    readonly Slot[] _ring;
    int _head;
    int _count;
    long _sequence;
    long _highWater = long.MinValue;

    public DeduplicatorExpert(DedupOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new DedupOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfZero(options.KeyFields.Count);
        // Interned, so names from configuration compare by reference with the Fields constants.
        _keyFields = [.. options.KeyFields.Select(string.Intern)];
        _windowTicks = options.Window.Ticks;
        _expireTicks = _windowTicks > long.MaxValue / 8 ? long.MaxValue / 4 : 2 * _windowTicks;
        _maxEntries = options.MaxEntries;
        _clock = clock ?? TimeProvider.System;
        _seen = new Dictionary<UInt128, Seen>(Math.Min(_maxEntries, 1 << 16));
        _ring = new Slot[_maxEntries];
    }

    public string Name => "deduplicator";

    public long Processed { get; private set; }
    public long Matched => Dropped;

    /// <summary>Duplicates removed.</summary>
    public long Dropped { get; private set; }

    /// <summary>Keys forgotten because the table was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>Keys currently remembered.</summary>
    public int Count => _seen.Count;

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var span = CollectionsMarshal.AsSpan(batch);
        var kept = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var e = span[i];
            Processed++;
            if (IsDuplicate(e))
            {
                Dropped++;
                continue;
            }
            span[kept++] = e;
        }
        if (kept < batch.Count)
        {
            batch.RemoveRange(kept, batch.Count - kept);
        }
    }

    /// <summary>Checks the event against the window and remembers it when it is not a duplicate.</summary>
    public bool IsDuplicate(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var key = ComputeKey(e);
        var ticks = (e.TimeSource ?? e.GetTime(Fields.TimeObservation) ?? _clock.GetUtcNow().UtcDateTime).Ticks;
        if (ticks > _highWater)
        {
            _highWater = ticks;
        }
        ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_seen, key, out var exists);
        if (exists && Math.Abs(ticks - seen.Ticks) <= _windowTicks)
        {
            return true;
        }
        // New key, or a key seen outside the window: (re)arm it with this event's time.
        seen.Ticks = ticks;
        seen.Sequence = ++_sequence;
        Enqueue(new Slot(key, seen.Sequence, ticks));
        ExpireOld();
        return false;
    }

    public UInt128 ComputeKey(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var h = _hash;
        h.Reset();
        Span<byte> buf = stackalloc byte[17];
        for (var f = 0; f < _keyFields.Length; f++)
        {
            // A tag per field keeps "missing" apart from any value and values of one field apart from the next.
            if (!e.TryGet(_keyFields[f], out var v) || v.Kind == FieldKind.None)
            {
                buf[0] = 0;
                h.Append(buf[..1]);
                continue;
            }
            buf[0] = (byte)v.Kind;
            switch (v.Kind)
            {
                case FieldKind.Text:
                    var text = v.Text!;
                    MemoryMarshal.Write(buf[1..], text.Length);
                    h.Append(buf[..5]);
                    h.Append(MemoryMarshal.AsBytes(text.AsSpan()));
                    break;
                case FieldKind.Address:
                    MemoryMarshal.Write(buf[1..], v.Address.Value);
                    h.Append(buf);
                    break;
                case FieldKind.Prefix:
                    var p = v.Prefix;
                    MemoryMarshal.Write(buf[1..], p.Network.Value);
                    h.Append(buf);
                    buf[0] = (byte)p.Length;
                    h.Append(buf[..1]);
                    break;
                case FieldKind.Time:
                    MemoryMarshal.Write(buf[1..], v.Time.Ticks);
                    h.Append(buf[..9]);
                    break;
                case FieldKind.Float:
                    MemoryMarshal.Write(buf[1..], v.Float);
                    h.Append(buf[..9]);
                    break;
                case FieldKind.Boolean:
                    buf[1] = v.Boolean ? (byte)1 : (byte)0;
                    h.Append(buf[..2]);
                    break;
                default:
                    MemoryMarshal.Write(buf[1..], v.Integer);
                    h.Append(buf[..9]);
                    break;
            }
        }
        return h.GetCurrentHashAsUInt128();
    }

    void Enqueue(Slot slot)
    {
        if (_count == _ring.Length)
        {
            Evict(Dequeue(), counted: true);
        }
        _ring[(_head + _count) % _ring.Length] = slot;
        _count++;
    }

    Slot Dequeue()
    {
        var slot = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        _count--;
        return slot;
    }

    void Evict(Slot slot, bool counted)
    {
        ref var seen = ref CollectionsMarshal.GetValueRefOrNullRef(_seen, slot.Key);
        if (!Unsafe.IsNullRef(ref seen) && seen.Sequence == slot.Sequence)
        {
            _seen.Remove(slot.Key);
            if (counted)
            {
                Evicted++;
            }
        }
    }

    // Keys far behind the newest time can no longer match an in-order event: forget them early.
    void ExpireOld()
    {
        while (_count > 0 && _ring[_head].Ticks < _highWater - _expireTicks)
        {
            Evict(Dequeue(), counted: false);
        }
    }

    record struct Seen(long Ticks, long Sequence);

    readonly record struct Slot(UInt128 Key, long Sequence, long Ticks);
}
