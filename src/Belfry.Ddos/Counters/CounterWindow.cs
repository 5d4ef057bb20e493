using Belfry.Core.Net;

namespace Belfry.Ddos.Counters;

/// <summary>
/// One second of one shard's counters. The shard's receive loop writes the active window; at each
/// second boundary the detector swaps in a spare, reads the closed one, resets it and keeps it as
/// the next spare. Every collection is capped, so a window's memory is bounded by the options.
/// </summary>
internal sealed class CounterWindow
{
    readonly Stack<HostDetail> _free = new();
    readonly int _maxDetails;
    int _detailsInUse;

    public CounterWindow(int maxDetails)
    {
        _maxDetails = maxDetails;
        HostCapacity = Hosts.EnsureCapacity(16);
        OverflowCapacity = Overflow.EnsureCapacity(16);
    }

    public Dictionary<NetAddress, HostCounters> Hosts { get; } = [];

    /// <summary>Hosts beyond the cap, folded per aggregation prefix (or per monitored network beyond that cap).</summary>
    public Dictionary<PrefixKey, HostCounters> Overflow { get; } = [];

    public int HostCapacity;
    public int OverflowCapacity;

    public long Records;
    public long Whitelisted;
    public long Unmonitored;
    public long Folded;
    public long DetailsDenied;

    public int DetailsInUse => _detailsInUse;

    public HostDetail? RentDetail()
    {
        if (_detailsInUse >= _maxDetails)
        {
            DetailsDenied++;
            return null;
        }
        _detailsInUse++;
        return _free.Count > 0 ? _free.Pop() : new HostDetail();
    }

    /// <summary>Grows a dictionary towards <paramref name="cap"/> without overshooting it the way doubling would.</summary>
    public static int Grow<TKey>(Dictionary<TKey, HostCounters> d, int capacity, int cap)
        where TKey : notnull =>
        d.Count < capacity ? capacity : d.EnsureCapacity((int)Math.Min(cap, Math.Max(16L, d.Count * 2L)));

    public void Reset()
    {
        if (_detailsInUse > 0)
        {
            foreach (var c in Hosts.Values)
            {
                if (c.Detail is { } d)
                {
                    d.Clear();
                    _free.Push(d);
                }
            }
        }
        _detailsInUse = 0;
        Hosts.Clear();
        Overflow.Clear();
        Records = Whitelisted = Unmonitored = Folded = DetailsDenied = 0;
    }
}
