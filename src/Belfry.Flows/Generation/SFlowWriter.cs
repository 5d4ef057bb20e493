using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>Builds one sFlow v5 datagram (https://sflow.org/sflow_version_5.txt).</summary>
public sealed class SFlowWriter
{
    readonly WireBuffer _b = new();
    readonly int _countOffset;
    uint _samples;

    public SFlowWriter(NetAddress agent, uint subAgentId, uint sequence, uint uptimeMs)
    {
        _b.U32(5);
        if (agent.IsV4)
        {
            _b.U32(1).V4(agent);
        }
        else
        {
            _b.U32(2).V6(agent);
        }
        _b.U32(subAgentId).U32(sequence).U32(uptimeMs);
        _countOffset = _b.Length;
        _b.U32(0);
    }

    /// <summary>A flow sample with a raw packet header record (header protocol 1 Ethernet, 11 IPv4, 12 IPv6) and optional extended switch / gateway data.</summary>
    public SFlowWriter FlowSample(uint samplingRate, byte[] header, uint frameLength, uint input = 1, uint output = 2, bool expanded = false,
        uint headerProtocol = 1, ushort? switchVlan = null, (uint SrcAs, uint[] DstPath)? gateway = null, uint sequence = 1, uint sourceIndex = 1)
    {
        ArgumentNullException.ThrowIfNull(header);
        var records = new WireBuffer();
        var n = 0u;
        var padded = (header.Length + 3) & ~3;
        records.U32(1).U32((uint)(16 + padded)).U32(headerProtocol).U32(frameLength).U32(4).U32((uint)header.Length).Bytes(header).Zeros(padded - header.Length);
        n++;
        if (switchVlan is { } vlan)
        {
            records.U32(1001).U32(16).U32(vlan).U32(0).U32(vlan).U32(0);
            n++;
        }
        if (gateway is { } g)
        {
            var len = 4 + 4 + 4 + 4 + 4 + 4 + 8 + (4 * g.DstPath.Length) + 4 + 4;
            records.U32(1003).U32((uint)len).U32(1).U32(0x0A000001).U32(65000).U32(g.SrcAs).U32(65001).U32(1).U32(2).U32((uint)g.DstPath.Length);
            foreach (var asn in g.DstPath)
            {
                records.U32(asn);
            }
            records.U32(0).U32(100);
            n++;
        }
        var body = new WireBuffer();
        if (expanded)
        {
            body.U32(sequence).U32(0).U32(sourceIndex).U32(samplingRate).U32(samplingRate * 10).U32(0).U32(0).U32(input).U32(0).U32(output).U32(n);
        }
        else
        {
            body.U32(sequence).U32(sourceIndex).U32(samplingRate).U32(samplingRate * 10).U32(0).U32(input).U32(output).U32(n);
        }
        body.Bytes(records.Written);
        _b.U32(expanded ? 3u : 1u).U32((uint)body.Length).Bytes(body.Written);
        _samples++;
        return this;
    }

    /// <summary>A counter sample with one generic interface counters record.</summary>
    public SFlowWriter CounterSample(in SFlowInterfaceCounters c, bool expanded = false)
    {
        var body = new WireBuffer();
        if (expanded)
        {
            body.U32(1).U32(c.SourceIdType).U32(c.SourceIdIndex).U32(1);
        }
        else
        {
            body.U32(1).U32((c.SourceIdType << 24) | (c.SourceIdIndex & 0xFFFFFF)).U32(1);
        }
        body.U32(1).U32(88).U32(c.IfIndex).U32(c.IfType).U64(c.IfSpeed).U32(c.IfDirection).U32(c.IfStatus)
            .U64(c.InOctets).U32(c.InUnicastPackets).U32(c.InMulticastPackets).U32(c.InBroadcastPackets).U32(c.InDiscards).U32(c.InErrors).U32(c.InUnknownProtocols)
            .U64(c.OutOctets).U32(c.OutUnicastPackets).U32(c.OutMulticastPackets).U32(c.OutBroadcastPackets).U32(c.OutDiscards).U32(c.OutErrors).U32(c.PromiscuousMode);
        _b.U32(expanded ? 4u : 2u).U32((uint)body.Length).Bytes(body.Written);
        _samples++;
        return this;
    }

    public byte[] ToArray()
    {
        _b.PatchU32(_countOffset, _samples);
        return _b.ToArray();
    }
}
