namespace Belfry.Core.Net;

/// <summary>
/// Longest-prefix-match table. Nested prefixes are flattened once, at build time, into sorted
/// disjoint ranges, so a lookup is one binary search with no allocation (an IP-to-organisation or
/// IP-to-AS lookup per event is on the ingest hot path).
/// </summary>
public sealed class PrefixMap<T>
{
    readonly UInt128[] _starts;
    readonly UInt128[] _ends;
    readonly T[] _values;

    // The same ranges clipped to the IPv4 space, as 32-bit numbers, with the range each came from:
    // most looked-up addresses are IPv4, and a search over uints without branches is several times
    // cheaper than one over 128-bit numbers.
    readonly uint[] _v4Starts;
    readonly uint[] _v4Ends;
    readonly int[] _v4Ranges;

    PrefixMap(UInt128[] starts, UInt128[] ends, T[] values)
    {
        _starts = starts;
        _ends = ends;
        _values = values;
        var v4Low = NetAddress.FromV4(0).Value;
        var v4High = NetAddress.FromV4(uint.MaxValue).Value;
        var v4Starts = new List<uint>();
        var v4Ends = new List<uint>();
        var v4Ranges = new List<int>();
        for (var i = 0; i < starts.Length; i++)
        {
            if (ends[i] < v4Low || starts[i] > v4High)
            {
                continue;
            }
            v4Starts.Add((uint)(UInt128.Max(starts[i], v4Low) - v4Low));
            v4Ends.Add((uint)(UInt128.Min(ends[i], v4High) - v4Low));
            v4Ranges.Add(i);
        }
        _v4Starts = [.. v4Starts];
        _v4Ends = [.. v4Ends];
        _v4Ranges = [.. v4Ranges];
    }

    public int RangeCount => _starts.Length;

    public static PrefixMap<T> Empty { get; } = new([], [], []);

    /// <summary>Builds the table; for identical prefixes the later entry wins.</summary>
    public static PrefixMap<T> Build(IEnumerable<(NetPrefix Prefix, T Value)> entries)
    {
        var items = entries.Select((e, i) => (Start: e.Prefix.Network.Value, End: e.Prefix.Last.Value, e.Value, Order: i)).ToList();
        // Wider (less specific) first for equal starts, so nested prefixes follow their parent.
        items.Sort((a, b) =>
        {
            var c = a.Start.CompareTo(b.Start);
            if (c != 0)
            {
                return c;
            }
            c = b.End.CompareTo(a.End);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });

        var starts = new List<UInt128>(items.Count);
        var ends = new List<UInt128>(items.Count);
        var values = new List<T>(items.Count);
        var stack = new Stack<(UInt128 End, T Value)>();
        UInt128 cursor = 0;
        var exhausted = false; // cursor passed the top of the address space

        void Emit(UInt128 from, UInt128 to, T value)
        {
            if (exhausted || from > to)
            {
                return;
            }
            if (values.Count > 0 && ends[^1] + 1 == from && EqualityComparer<T>.Default.Equals(values[^1], value))
            {
                ends[^1] = to;
            }
            else
            {
                starts.Add(from);
                ends.Add(to);
                values.Add(value);
            }
        }

        void Close()
        {
            var (end, value) = stack.Pop();
            Emit(cursor, end, value);
            if (end == UInt128.MaxValue)
            {
                exhausted = true;
            }
            else if (end + 1 > cursor)
            {
                cursor = end + 1;
            }
        }

        foreach (var (start, end, value, _) in items)
        {
            while (stack.Count > 0 && stack.Peek().End < start)
            {
                Close();
            }
            if (stack.Count > 0)
            {
                if (start > 0)
                {
                    Emit(cursor, start - 1, stack.Peek().Value);
                }
            }
            cursor = start;
            exhausted = false;
            stack.Push((end, value));
        }
        while (stack.Count > 0)
        {
            Close();
        }
        return new PrefixMap<T>([.. starts], [.. ends], [.. values]);
    }

    public bool TryLookup(NetAddress address, out T value)
    {
        if (address.IsV4)
        {
            return TryLookupV4((uint)address.Value, out value);
        }
        var a = address.Value;
        int lo = 0, hi = _starts.Length - 1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_starts[mid] <= a)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (hi >= 0 && a <= _ends[hi])
        {
            value = _values[hi];
            return true;
        }
        value = default!;
        return false;
    }

    bool TryLookupV4(uint a, out T value)
    {
        var starts = _v4Starts;
        var n = starts.Length;
        if (n > 0)
        {
            // The last range starting at or before the address, halving without branches.
            var at = 0;
            while (n > 1)
            {
                var half = n >> 1;
                at = starts[at + half] <= a ? at + half : at;
                n -= half;
            }
            if (starts[at] <= a && a <= _v4Ends[at])
            {
                value = _values[_v4Ranges[at]];
                return true;
            }
        }
        value = default!;
        return false;
    }
}
