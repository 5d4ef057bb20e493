using System.Numerics;
using System.Runtime.CompilerServices;

namespace Belfry.Enrichment;

/// <summary>
/// The deduplicator's memory: remembered keys in insertion order (a ring of key and time, at most
/// <c>maxEntries</c>), indexed by an open-addressing table with linear probing over that ring.
/// </summary>
/// <remarks>
/// A table slot is 8 bytes: the key's low 32 bits (whose low bits are also its home slot) and the
/// ring position + 1 (0: empty), so a probe compares within one cache line and reads the ring only
/// on a 32-bit match. The table has twice the bound's slots (a power of two), so it is at most
/// half full; a removal shifts the following run back (no tombstones). A key re-armed later points to its new
/// ring position; its old ring item is then stale and skipped when it leaves the ring, as is an item
/// whose key was removed meanwhile.
/// </remarks>
internal sealed class DedupTable
{
    readonly Item[] _ring;
    int _head;
    int _ringCount;

    readonly ulong[] _slots;
    readonly int _mask;
    int _live;

    /// <summary>Most keys a table takes (its slots stay at most half full and fit one array).</summary>
    public const int MaxSupportedEntries = 1 << 29;

    public DedupTable(int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntries, MaxSupportedEntries);
        _ring = new Item[maxEntries];
        // Sized for the bound from the start, like the ring: growing by doubling rehashed ~all keys
        // into cold memory on the way to a million (measured: parse+enrich 620k -> 675-710k rows/s).
        _slots = new ulong[(int)BitOperations.RoundUpToPowerOf2((uint)maxEntries) * 2];
        _mask = _slots.Length - 1;
    }

    /// <summary>Keys currently remembered.</summary>
    public int Count => _live;

    /// <summary>Items in the ring, stale ones included (at most the bound).</summary>
    public int RingCount => _ringCount;

    public bool RingFull => _ringCount == _ring.Length;

    /// <summary>The time remembered for <paramref name="key"/>, if it is.</summary>
    public bool TryGet(UInt128 key, out long ticks)
    {
        var at = Find(key);
        if (at < 0)
        {
            ticks = 0;
            return false;
        }
        ticks = _ring[RingIndex(_slots[at])].Ticks;
        return true;
    }

    /// <summary>
    /// Appends <paramref name="key"/> at <paramref name="ticks"/> to the ring and points the key at it
    /// (new, or re-armed). The ring must not be full: the caller evicts first.
    /// </summary>
    public void Arm(UInt128 key, long ticks)
    {
        var r = _head + _ringCount;
        if (r >= _ring.Length)
        {
            r -= _ring.Length;
        }
        _ring[r] = new Item((ulong)key, (ulong)(key >> 64), ticks);
        _ringCount++;
        var lo = (ulong)key;
        var slots = _slots;
        var mask = _mask;
        var tag = (uint)lo;
        var i = (int)(tag & (uint)mask);
        while (true)
        {
            var s = slots[i];
            if (s == 0)
            {
                break;
            }
            if ((uint)(s >> 32) == tag && SameKey(RingIndex(s), key))
            {
                slots[i] = Slot(tag, r); // re-armed: the old ring item is now stale
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = Slot(tag, r);
        _live++;
    }

    /// <summary>
    /// Loads the table slots of <paramref name="keys"/>, then the ring items of the keys found there,
    /// so the cache misses of a batch overlap instead of coming one by one. Only a hint: nothing changes.
    /// </summary>
    public void Prefetch(ReadOnlySpan<UInt128> keys)
    {
        var slots = _slots;
        var mask = (uint)_mask;
        ulong sink = 0;
        foreach (var key in keys)
        {
            sink += slots[(int)((uint)(ulong)key & mask)];
        }
        var ring = _ring;
        foreach (var key in keys)
        {
            var s = slots[(int)((uint)(ulong)key & mask)];
            if (s != 0 && (uint)(s >> 32) == (uint)(ulong)key)
            {
                sink += ring[RingIndex(s)].K0;
            }
        }
        _prefetchSink = sink;
    }

    // Keeps the prefetching loads from being optimised away.
    ulong _prefetchSink;

    /// <summary>The oldest ring item's time; the ring must not be empty.</summary>
    public long OldestTicks => _ring[_head].Ticks;

    /// <summary>
    /// Takes the oldest item off the ring and forgets its key when the key still points at it (not
    /// re-armed since) and is not <paramref name="keep"/>; true when a key was forgotten.
    /// </summary>
    public bool DequeueOldest(UInt128? keep)
    {
        var h = _head;
        var item = _ring[h];
        var key = new UInt128(item.K1, item.K0);
        var at = keep == key ? -1 : Find(key);
        var forget = at >= 0 && RingIndex(_slots[at]) == h;
        if (forget)
        {
            RemoveAt(at);
        }
        _ring[h] = default;
        _head = h + 1 == _ring.Length ? 0 : h + 1;
        _ringCount--;
        return forget;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    int Find(UInt128 key)
    {
        var slots = _slots;
        var mask = _mask;
        var tag = (uint)(ulong)key;
        var i = (int)(tag & (uint)mask);
        while (true)
        {
            var s = slots[i];
            if (s == 0)
            {
                return -1;
            }
            if ((uint)(s >> 32) == tag && SameKey(RingIndex(s), key))
            {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    bool SameKey(int r, UInt128 key)
    {
        ref readonly var item = ref _ring[r];
        return item.K0 == (ulong)key && item.K1 == (ulong)(key >> 64);
    }

    void RemoveAt(int i)
    {
        // Backward-shift deletion: move each following entry of the run into the hole unless its
        // home slot lies cyclically after the hole.
        var slots = _slots;
        var mask = _mask;
        var j = i;
        while (true)
        {
            j = (j + 1) & mask;
            var s = slots[j];
            if (s == 0)
            {
                break;
            }
            var home = (int)((uint)(s >> 32) & (uint)mask);
            if (((j - home) & mask) >= ((j - i) & mask))
            {
                slots[i] = s;
                i = j;
            }
        }
        slots[i] = 0;
        _live--;
    }

    static ulong Slot(uint tag, int ringIndex) => ((ulong)tag << 32) | (uint)(ringIndex + 1);

    static int RingIndex(ulong slot) => (int)(uint)slot - 1;

    readonly record struct Item(ulong K0, ulong K1, long Ticks);
}
