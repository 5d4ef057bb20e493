using System.Runtime.CompilerServices;
using Belfry.Core.Net;

namespace Belfry.Ddos.Counters;

/// <summary>
/// Longest-prefix match of monitored (or whitelisted) prefixes to an index, tuned for the write
/// path: IPv4 addresses first hit a 64 Ki-entry table indexed by the /16 (256 KiB), which answers
/// "not monitored" or "this one network" directly; only /16s holding a longer prefix, and IPv6,
/// fall back to the binary search of <see cref="PrefixMap{T}"/>. Most records have one
/// unmonitored end, and that answer now costs one load instead of a dozen 128-bit compares.
/// </summary>
internal sealed class NetworkTable
{
    const int None = -1;
    const int Mixed = -2;
    const ulong V4MappedTag = 0x0000_FFFF_0000_0000UL;

    readonly PrefixMap<int> _map;
    readonly int[]? _v4;
    readonly bool _hasV6;

    public NetworkTable(IReadOnlyList<NetPrefix> prefixes)
    {
        _map = PrefixMap<int>.Build(prefixes.Select((p, i) => (p, i)));
        _hasV6 = prefixes.Any(p => !p.IsV4);
        if (!prefixes.Any(p => p.IsV4))
        {
            return;
        }
        var t = new int[65536];
        Array.Fill(t, None);
        foreach (var p in prefixes.Where(p => p.IsV4 && p.Length <= 16))
        {
            var first = p.Network.V4 >> 16;
            var last = p.Last.V4 >> 16;
            for (var b = first; b <= last; b++)
            {
                t[b] = 0;
            }
        }
        foreach (var p in prefixes.Where(p => p.IsV4 && p.Length > 16))
        {
            t[p.Network.V4 >> 16] = Mixed;
        }
        for (var b = 0; b < t.Length; b++)
        {
            if (t[b] == 0)
            {
                t[b] = _map.TryLookup(NetAddress.FromV4((uint)b << 16), out var i) ? i : None;
            }
        }
        _v4 = t;
    }

    public int Count => _map.RangeCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(NetAddress a, out int index)
    {
        var v = a.Value;
        var lo = (ulong)v;
        if ((ulong)(v >> 64) == 0 && (lo & 0xFFFF_FFFF_0000_0000UL) == V4MappedTag)
        {
            if (_v4 is null)
            {
                index = None;
                return false;
            }
            index = _v4[(int)((uint)lo >> 16)];
            if (index >= 0)
            {
                return true;
            }
            if (index == None)
            {
                return false;
            }
        }
        else if (!_hasV6)
        {
            index = None;
            return false;
        }
        return _map.TryLookup(a, out index);
    }
}
