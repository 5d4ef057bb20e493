using Belfry.Core.Net;

namespace Belfry.Flows;

/// <summary>Wire format a <see cref="FlowRecord"/> was decoded from.</summary>
public enum FlowSource : byte
{
    Unknown = 0,
    NetFlowV5 = 5,
    NetFlowV9 = 9,
    Ipfix = 10,
    SFlow = 50,
}

/// <summary>
/// One flow (NetFlow/IPFIX) or one sampled packet (sFlow), normalised. <see cref="Packets"/> and
/// <see cref="Bytes"/> are already multiplied by <see cref="SamplingRate"/>; the raw values are kept.
/// Times are Unix milliseconds, 0 when the exporter gave none.
/// </summary>
public readonly record struct FlowRecord
{
    public FlowSource Source { get; init; }

    /// <summary>NetFlow/IPFIX: the datagram's source address. sFlow: the agent address in the datagram.</summary>
    public NetAddress Exporter { get; init; }

    /// <summary>v9 source id, IPFIX observation domain id, sFlow sub-agent id, v5 engine type &lt;&lt; 8 | engine id.</summary>
    public uint ObservationDomain { get; init; }

    public NetAddress SrcAddress { get; init; }
    public NetAddress DstAddress { get; init; }
    public ushort SrcPort { get; init; }
    public ushort DstPort { get; init; }
    public byte Protocol { get; init; }

    /// <summary>TCP flags (IPFIX tcpControlBits may carry 16 bits).</summary>
    public ushort TcpFlags { get; init; }

    public byte Tos { get; init; }

    /// <summary>Sampling-corrected packets: <see cref="RawPackets"/> × <see cref="SamplingRate"/> (saturating).</summary>
    public ulong Packets { get; init; }

    /// <summary>Sampling-corrected bytes: <see cref="RawBytes"/> × <see cref="SamplingRate"/> (saturating).</summary>
    public ulong Bytes { get; init; }

    public ulong RawPackets { get; init; }
    public ulong RawBytes { get; init; }

    /// <summary>1 in N; 1 when the flow is unsampled or the exporter did not say.</summary>
    public uint SamplingRate { get; init; }

    public long StartUnixMs { get; init; }
    public long EndUnixMs { get; init; }
    public uint InputInterface { get; init; }
    public uint OutputInterface { get; init; }
    public uint SrcAs { get; init; }
    public uint DstAs { get; init; }

    /// <summary>The flow is (or the sampled packet was) an IP fragment.</summary>
    public bool IsFragment { get; init; }

    public byte IcmpType { get; init; }
    public byte IcmpCode { get; init; }

    /// <summary>Outer 802.1Q VLAN id, 0 when none.</summary>
    public ushort Vlan { get; init; }
}
