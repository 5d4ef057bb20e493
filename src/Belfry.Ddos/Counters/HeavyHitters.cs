namespace Belfry.Ddos.Counters;

/// <summary>One heavy hitter: a value and its (over-)estimated packets.</summary>
public readonly record struct TopItem<T>(T Value, ulong Packets);

/// <summary>
/// Space-saving top-k sketch (Metwally, Agrawal, El Abbadi 2005) with weighted updates: k slots;
/// an unseen item replaces the smallest slot and inherits its count. Any item heavier than
/// total/k is guaranteed a slot. k is small (16), so a linear scan beats a hash index.
/// </summary>
public sealed class HeavyHitters<T>
    where T : struct, IEquatable<T>
{
    readonly T[] _items;
    readonly ulong[] _counts;
    int _size;

    public HeavyHitters(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
        _counts = new ulong[capacity];
    }

    public int Count => _size;

    public void Add(T item, ulong weight)
    {
        var items = _items;
        var counts = _counts;
        var size = _size;
        // One pass: find the item, remembering the smallest slot in case it is not there.
        var min = 0;
        for (var i = 0; i < size; i++)
        {
            if (items[i].Equals(item))
            {
                counts[i] += weight;
                return;
            }
            if (counts[i] < counts[min])
            {
                min = i;
            }
        }
        if (size < items.Length)
        {
            items[size] = item;
            counts[size] = weight;
            _size = size + 1;
            return;
        }
        items[min] = item;
        counts[min] += weight;
    }

    public void Merge(HeavyHitters<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < other._size; i++)
        {
            Add(other._items[i], other._counts[i]);
        }
    }

    public void Clear() => _size = 0;

    /// <summary>The heaviest <paramref name="n"/> items, heaviest first.</summary>
    public TopItem<T>[] Top(int n)
    {
        var all = new TopItem<T>[_size];
        for (var i = 0; i < _size; i++)
        {
            all[i] = new(_items[i], _counts[i]);
        }
        Array.Sort(all, static (a, b) => b.Packets.CompareTo(a.Packets));
        return all.Length <= n ? all : all[..n];
    }
}
