using Belfry.Core.Net;

namespace Belfry.Flows.Collection;

/// <summary>Counters of one exporter in one receive loop. Written by that loop only; read by snapshots.</summary>
internal sealed class ExporterSlot(NetAddress address, bool isOther, uint maxSamplingRate)
{
    public readonly NetAddress Address = address;
    public readonly bool IsOther = isOther;

    /// <summary>The exporter's sampling bound, decided once when the slot is made (unused for "other").</summary>
    public readonly uint MaxSamplingRate = maxSamplingRate;
    public readonly long[] Errors = new long[DecodeStatuses.Count];
    public long Datagrams;
    public long Records;
    public long CounterRecords;
    public long Bytes;
    public long Drops;
    public long SamplingCapped;
    public long ProcessingErrors;
    public long LastSeenUnixMs;
}

/// <summary>
/// Per-loop exporter table, bounded: the first <c>max</c> source addresses get their own slot, later
/// ones share the "other" slot, so spoofed sources cannot grow memory. Single writer (the loop);
/// readers see a published prefix of <see cref="_slots"/> without locks.
/// </summary>
internal sealed class ExporterTable
{
    readonly Dictionary<NetAddress, ExporterSlot> _byAddress;
    readonly ExporterSlot?[] _slots;
    readonly ExporterSlot _other = new(default, isOther: true, 0);
    int _count;
    ExporterSlot? _last;

    public ExporterTable(int maxExporters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExporters);
        _byAddress = new Dictionary<NetAddress, ExporterSlot>(Math.Min(maxExporters, 64));
        _slots = new ExporterSlot?[maxExporters];
    }

    /// <summary>The own slot of <paramref name="address"/> when it has one (never the "other" slot).</summary>
    public bool TryGet(NetAddress address, out ExporterSlot slot)
    {
        // Exporters send bursts: one comparison usually saves the dictionary lookup.
        if (_last is { } last && last.Address == address)
        {
            slot = last;
            return true;
        }
        if (_byAddress.TryGetValue(address, out slot!))
        {
            _last = slot;
            return true;
        }
        return false;
    }

    /// <summary>A new slot for <paramref name="address"/> (not in the table) when there is room, else the "other" slot.</summary>
    public ExporterSlot Add(NetAddress address, uint maxSamplingRate)
    {
        if (_count == _slots.Length)
        {
            return _other;
        }
        var slot = new ExporterSlot(address, isOther: false, maxSamplingRate);
        _byAddress.Add(address, slot);
        Volatile.Write(ref _slots[_count], slot);
        Volatile.Write(ref _count, _count + 1);
        _last = slot;
        return slot;
    }

    /// <summary>The slot of <paramref name="address"/>, created when there is room, else the "other" slot.</summary>
    public ExporterSlot Get(NetAddress address, uint maxSamplingRate = uint.MaxValue) =>
        TryGet(address, out var slot) ? slot : Add(address, maxSamplingRate);

    /// <summary>Published slots, then the "other" slot when it was used.</summary>
    public IEnumerable<ExporterSlot> Slots()
    {
        var n = Volatile.Read(ref _count);
        for (var i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _slots[i]) is { } s)
            {
                yield return s;
            }
        }
        if (Volatile.Read(ref _other.Datagrams) != 0)
        {
            yield return _other;
        }
    }
}
