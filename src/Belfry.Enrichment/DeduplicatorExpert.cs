using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// Drops an event when an event with the same key (the values of <see cref="DedupOptions.KeyFields"/>)
/// was kept within <see cref="DedupOptions.Window"/>, measured on time.source (else
/// time.observation, else the clock). Keys are 128-bit XXH128 hashes of the typed field values
/// (texts by their XXH3 64-bit hash), computed without building strings; memory is bounded by <see cref="DedupOptions.MaxEntries"/>,
/// the oldest keys being forgotten first.
/// </summary>
public sealed class DeduplicatorExpert : IEventExpert, IExpertCounters
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

    // Keys in insertion order (for eviction) with their times, indexed by a compact hash table.
    readonly DedupTable _table;
    long _highWater = long.MinValue;

    public DeduplicatorExpert(DedupOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new DedupOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfZero(options.KeyFields.Count);
        // Interned, so names from configuration compare by reference with the Fields constants.
        _keyFields = [.. options.KeyFields.Select(string.Intern)];
        _positions = new FieldPositions([.. _keyFields, Fields.TimeSource, Fields.TimeObservation]);
        _lastTexts = new FieldValue[_keyFields.Length];
        _lastTextHashes = new ulong[_keyFields.Length];
        _scratch = new int[_positions.Length];
        _windowTicks = options.Window.Ticks;
        _expireTicks = _windowTicks > long.MaxValue / 8 ? long.MaxValue / 4 : 2 * _windowTicks;
        _maxEntries = options.MaxEntries;
        _clock = clock ?? TimeProvider.System;
        _table = new DedupTable(_maxEntries);
    }

    public string Name => "deduplicator";

    public long Processed { get; private set; }
    public long Matched => Dropped;

    /// <summary>Duplicates removed.</summary>
    public long Dropped { get; private set; }

    /// <summary>Keys forgotten because the table was full.</summary>
    public long Evicted { get; private set; }

    /// <summary>Keys currently remembered.</summary>
    public int Count => _table.Count;

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var span = CollectionsMarshal.AsSpan(batch);
        // Keys and times first, then the table lines they hash to are loaded together: a million
        // keys are far bigger than the caches, and misses issued side by side overlap.
        if (_batchKeys.Length < span.Length)
        {
            _batchKeys = new UInt128[span.Length];
            _batchTicks = new long[span.Length];
        }
        var keys = _batchKeys.AsSpan(0, span.Length);
        var times = _batchTicks.AsSpan(0, span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var e = span[i];
            ArgumentNullException.ThrowIfNull(e, nameof(batch));
            var positions = _positions.Of(e, _scratch);
            keys[i] = ComputeKey(e, positions);
            times[i] = EventTicks(e, positions);
        }
        _table.Prefetch(keys);
        var kept = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var e = span[i];
            Processed++;
            if (IsDuplicate(keys[i], times[i] == NoTime ? _clock.GetUtcNow().UtcDateTime.Ticks : times[i]))
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
        var ticks = EventTicks(e, positions);
        return IsDuplicate(key, ticks == NoTime ? _clock.GetUtcNow().UtcDateTime.Ticks : ticks);
    }

    UInt128[] _batchKeys = [];

    // Per key field: the last text value seen and its hash (see ComputeKey).
    readonly FieldValue[] _lastTexts;
    readonly ulong[] _lastTextHashes;
    long[] _batchTicks = [];

    /// <summary>An event without time.source and time.observation: the clock's time is taken when it is checked.</summary>
    const long NoTime = long.MinValue;

    static long EventTicks(Event e, ReadOnlySpan<int> positions) =>
        (TimeAt(e, positions[^2]) ?? TimeAt(e, positions[^1]))?.Ticks ?? NoTime;

    bool IsDuplicate(UInt128 key, long ticks)
    {
        if (ticks > _highWater)
        {
            _highWater = ticks;
        }
        if (_table.TryGet(key, out var seenTicks) && Math.Abs(ticks - seenTicks) <= _windowTicks)
        {
            return true;
        }
        // New key, or a key seen outside the window: (re)arm it with this event's time, making room
        // first (the oldest item goes; if it is this key's own earlier item, the key stays).
        if (_table.RingFull && _table.DequeueOldest(key))
        {
            Evicted++;
        }
        _table.Arm(key, ticks);
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
                    // A text goes in as its own 64-bit hash, remembered per field: most key texts are
                    // a file's constants (feed, classification), the same string row after row.
                    if (!v.IsSameTextAs(_lastTexts[f]))
                    {
                        _lastTexts[f] = v;
                        _lastTextHashes[f] = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(v.TextSpan));
                    }
                    pos += Put(Reserve(pos, 9), v.Kind, _lastTextHashes[f]);
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

    // Keys far behind the newest time can no longer match an in-order event: forget them early.
    void ExpireOld()
    {
        while (_table.RingCount > 0 && _table.OldestTicks < _highWater - _expireTicks)
        {
            _table.DequeueOldest(null);
        }
    }
}
