using Belfry.Core.Net;

namespace Belfry.Flows;

/// <summary>sFlow v5 generic interface counters (enterprise 0, format 1), from a counter sample.</summary>
public readonly record struct SFlowInterfaceCounters
{
    public NetAddress Agent { get; init; }
    public uint SubAgentId { get; init; }
    public uint SourceIdType { get; init; }
    public uint SourceIdIndex { get; init; }
    public uint IfIndex { get; init; }
    public uint IfType { get; init; }
    public ulong IfSpeed { get; init; }
    public uint IfDirection { get; init; }
    public uint IfStatus { get; init; }
    public ulong InOctets { get; init; }
    public uint InUnicastPackets { get; init; }
    public uint InMulticastPackets { get; init; }
    public uint InBroadcastPackets { get; init; }
    public uint InDiscards { get; init; }
    public uint InErrors { get; init; }
    public uint InUnknownProtocols { get; init; }
    public ulong OutOctets { get; init; }
    public uint OutUnicastPackets { get; init; }
    public uint OutMulticastPackets { get; init; }
    public uint OutBroadcastPackets { get; init; }
    public uint OutDiscards { get; init; }
    public uint OutErrors { get; init; }
    public uint PromiscuousMode { get; init; }
}
