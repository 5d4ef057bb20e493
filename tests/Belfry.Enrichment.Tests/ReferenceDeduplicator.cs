using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Events;

namespace Belfry.Enrichment.Tests;

/// <summary>The Dictionary-based deduplicator before DedupTable, kept as the reference for differential tests.</summary>
internal sealed class ReferenceDeduplicator
{
    readonly string[] _keyFields;

    // The key fields, then time.source and time.observation.
    readonly FieldPositions _positions;
    readonly int[] _scratch;
    readonly long _windowTicks;
    readonly long _expireTicks;
    readonly int _maxEntries;
    readonly TimeProvider _clock;
    byte[] _keyBuffer = new byte[1024];
    readonly Dictionary<UInt128, Seen> _seen;

    // Insertion order, for eviction: a ring of (key, sequence, time). An item whose sequence no
    // longer matches its key's entry is stale (the key was re-armed later) and is skipped.
    readonly Slot[] _ring;
    int _head;
    int _count;
    long _sequence;
    long _highWater = long.MinValue;

    public ReferenceDeduplicator(DedupOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new DedupOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfZero(options.KeyFields.Count);
        // Interned, so names from configuration compare by reference with the Fields constants.
        _keyFields = [.. options.KeyFields.Select(string.Intern)];
        _positions = new FieldPositions([.. _keyFields, Fields.TimeSource, Fields.TimeObservation]);
        _scratch = new int[_positions.Length];
        _windowTicks = options.Window.Ticks;
        _expireTicks = _windowTicks > long.MaxValue / 8 ? long.MaxValue / 4 : 2 * _windowTicks;
        _maxEntries = options.MaxEntries;
        _clock = clock ?? TimeProvider.System;
        _seen = new Dictionary<UInt128, Seen>(Math.Min(_maxEntries, 1 << 16));
        _ring = new Slot[_maxEntries];
    }

    public long Processed { get; private set; }

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
        var positions = _positions.Of(e, _scratch);
        var key = ComputeKey(e, positions);
        var ticks = (TimeAt(e, positions[^2]) ?? TimeAt(e, positions[^1]) ?? _clock.GetUtcNow().UtcDateTime).Ticks;
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

    static DateTime? TimeAt(Event e, int position) =>
        position >= 0 && e.ValueAt(position) is { Kind: FieldKind.Time } v ? v.Time : null;

    public UInt128 ComputeKey(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ComputeKey(e, _positions.Of(e, _scratch));
    }

    UInt128 ComputeKey(Event e, ReadOnlySpan<int> positions)
    {
        // The typed values are laid out in one reusable buffer and hashed in one call: cheaper
        // than many small incremental appends.
        var pos = 0;
        for (var f = 0; f < _keyFields.Length; f++)
        {
            // A tag per field keeps "missing" apart from any value and values of one field apart from the next.
            var at = positions[f];
            var v = at >= 0 ? e.ValueAt(at) : default;
            if (v.Kind == FieldKind.None)
            {
                Reserve(pos, 1)[0] = 0;
                pos++;
                continue;
            }
            switch (v.Kind)
            {
                case FieldKind.Text:
                    var text = v.TextSpan;
                    var bytes = MemoryMarshal.AsBytes(text);
                    var t = Reserve(pos, 5 + bytes.Length);
                    t[0] = (byte)FieldKind.Text;
                    MemoryMarshal.Write(t[1..], text.Length);
                    bytes.CopyTo(t[5..]);
                    pos += 5 + bytes.Length;
                    break;
                case FieldKind.Address:
                    pos += Put(Reserve(pos, 17), v.Kind, v.Address.Value);
                    break;
                case FieldKind.Prefix:
                    var p = v.Prefix;
                    var b = Reserve(pos, 18);
                    pos += Put(b, v.Kind, p.Network.Value);
                    b[17] = (byte)p.Length;
                    pos++;
                    break;
                case FieldKind.Time:
                    pos += Put(Reserve(pos, 9), v.Kind, v.Time.Ticks);
                    break;
                case FieldKind.Float:
                    pos += Put(Reserve(pos, 9), v.Kind, BitConverter.DoubleToInt64Bits(v.Float));
                    break;
                case FieldKind.Boolean:
                    pos += Put(Reserve(pos, 9), v.Kind, v.Boolean ? 1L : 0L);
                    break;
                default:
                    pos += Put(Reserve(pos, 9), v.Kind, v.Integer);
                    break;
            }
        }
        return XxHash128.HashToUInt128(_keyBuffer.AsSpan(0, pos));
    }

    static int Put<T>(Span<byte> dest, FieldKind kind, T value)
        where T : unmanaged
    {
        dest[0] = (byte)kind;
        MemoryMarshal.Write(dest[1..], in value);
        return 1 + Unsafe.SizeOf<T>();
    }

    Span<byte> Reserve(int pos, int length)
    {
        if (pos + length > _keyBuffer.Length)
        {
            Array.Resize(ref _keyBuffer, Math.Max(_keyBuffer.Length * 2, pos + length));
        }
        return _keyBuffer.AsSpan(pos, length);
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
