using Belfry.Core.Net;

namespace Belfry.Ddos.Counters;

/// <summary>
/// Who sends to one host: distinct sources (HyperLogLog) and the heaviest sources, source ports and
/// source AS numbers (space-saving). About 4.6 KiB, so only busy or watched hosts get one, from a
/// bounded pool per window.
/// </summary>
public sealed class HostDetail
{
    public const int SketchSize = 16;

    public HyperLogLog Sources { get; } = new();
    public HeavyHitters<NetAddress> TopSources { get; } = new(SketchSize);
    public HeavyHitters<ushort> TopSourcePorts { get; } = new(SketchSize);
    public HeavyHitters<uint> TopSourceAsns { get; } = new(SketchSize);

    internal void Add(NetAddress source, ushort sourcePort, uint sourceAs, byte protocol, ulong packets)
    {
        Sources.Add(HyperLogLog.Hash(source.Value));
        TopSources.Add(source, packets);
        if (protocol is 6 or 17)
        {
            TopSourcePorts.Add(sourcePort, packets);
        }
        if (sourceAs != 0)
        {
            TopSourceAsns.Add(sourceAs, packets);
        }
    }

    public void Merge(HostDetail other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Sources.Merge(other.Sources);
        TopSources.Merge(other.TopSources);
        TopSourcePorts.Merge(other.TopSourcePorts);
        TopSourceAsns.Merge(other.TopSourceAsns);
    }

    public void Clear()
    {
        Sources.Clear();
        TopSources.Clear();
        TopSourcePorts.Clear();
        TopSourceAsns.Clear();
    }
}
