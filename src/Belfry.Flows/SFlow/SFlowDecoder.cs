using Belfry.Core.Net;
using Belfry.Flows.Internal;
using Belfry.Flows.SFlow;

namespace Belfry.Flows;

/// <summary>
/// sFlow version 5 (https://sflow.org/sflow_version_5.txt). Stateless: each flow sample carries its
/// own sampling rate. Each flow sample becomes one <see cref="FlowRecord"/> with one raw packet
/// (packets = rate, bytes = frame length × rate); generic interface counters go to
/// <see cref="IFlowSink.OnCounters"/>. sFlow has no wall-clock time, so records are stamped with
/// the receive time the caller passes.
/// </summary>
public static class SFlowDecoder
{
    const uint FlowSample = 1;
    const uint CounterSample = 2;
    const uint ExpandedFlowSample = 3;
    const uint ExpandedCounterSample = 4;
    const uint RawPacketHeader = 1;
    const uint SampledIPv4 = 3;
    const uint SampledIPv6 = 4;
    const uint ExtendedSwitch = 1001;
    const uint ExtendedGateway = 1003;
    const uint GenericInterfaceCounters = 1;

    // sFlow v5 "sample_datagram_v5".
    public static DecodeStatus Decode<TSink>(ReadOnlySpan<byte> datagram, long receivedUnixMs, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(datagram);
        if (!r.TryU32(out var version))
        {
            return DecodeStatus.Truncated;
        }
        if (version != 5)
        {
            return DecodeStatus.BadVersion;
        }
        if (!r.TryU32(out var addressType))
        {
            return DecodeStatus.Truncated;
        }
        NetAddress agent;
        switch (addressType)
        {
            case 1:
                if (!r.TryU32(out var v4))
                {
                    return DecodeStatus.Truncated;
                }
                agent = NetAddress.FromV4(v4);
                break;
            case 2:
                if (!r.TrySlice(16, out var v6))
                {
                    return DecodeStatus.Truncated;
                }
                agent = Wire.V6(v6);
                break;
            default:
                return DecodeStatus.BadHeader;
        }
        if (!r.TryU32(out var subAgent) || !r.TryU32(out _) || !r.TryU32(out _) || !r.TryU32(out var samples))
        {
            return DecodeStatus.Truncated;
        }
        if (samples > (uint)r.Remaining / 8)
        {
            return DecodeStatus.BadCount;
        }
        var status = DecodeStatus.Ok;
        for (var i = 0u; i < samples; i++)
        {
            if (!r.TryU32(out var format) || !r.TryU32(out var length))
            {
                return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
            }
            if (!r.TrySlice((int)Math.Min(length, int.MaxValue), out var body))
            {
                return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
            }
            if (format >> 12 != 0)
            {
                continue; // enterprise-specific sample: skipped by its length
            }
            var s = (format & 0xFFF) switch
            {
                FlowSample => ReadFlowSample(body, false, agent, subAgent, receivedUnixMs, ref sink),
                ExpandedFlowSample => ReadFlowSample(body, true, agent, subAgent, receivedUnixMs, ref sink),
                CounterSample => ReadCounterSample(body, false, agent, subAgent, ref sink),
                ExpandedCounterSample => ReadCounterSample(body, true, agent, subAgent, ref sink),
                _ => DecodeStatus.Ok,
            };
            status = DecodeStatuses.Merge(status, s);
        }
        return status;
    }

    // "flow_sample" (format 1) and "flow_sample_expanded" (format 3).
    static DecodeStatus ReadFlowSample<TSink>(ReadOnlySpan<byte> body, bool expanded, NetAddress agent, uint subAgent, long now, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(body);
        uint rate, input, output, records;
        if (expanded)
        {
            if (!r.TrySkip(12) || !r.TryU32(out rate) || !r.TrySkip(8) || !r.TrySkip(4) || !r.TryU32(out input) || !r.TrySkip(4) || !r.TryU32(out output) || !r.TryU32(out records))
            {
                return DecodeStatus.Truncated;
            }
        }
        else
        {
            if (!r.TrySkip(8) || !r.TryU32(out rate) || !r.TrySkip(8) || !r.TryU32(out input) || !r.TryU32(out output) || !r.TryU32(out records))
            {
                return DecodeStatus.Truncated;
            }
            // Compact interface format: top two bits say what the low 30 bits mean.
            input &= 0x3FFF_FFFF;
            output &= 0x3FFF_FFFF;
        }
        if (rate == 0)
        {
            return DecodeStatus.BadSampling;
        }
        if (records > (uint)r.Remaining / 8)
        {
            return DecodeStatus.BadCount;
        }
        var f = default(FlowFields);
        f.InIf = input;
        f.OutIf = output;
        f.Packets = 1;
        f.StartMs = now;
        f.EndMs = now;
        var status = DecodeStatus.Ok;
        for (var i = 0u; i < records; i++)
        {
            if (!r.TryU32(out var format) || !r.TryU32(out var length) || !r.TrySlice((int)Math.Min(length, int.MaxValue), out var rec))
            {
                status = DecodeStatus.Truncated;
                break;
            }
            if (format >> 12 != 0)
            {
                continue;
            }
            status = DecodeStatuses.Merge(status, ReadFlowRecord(format & 0xFFF, rec, ref f));
        }
        sink.OnFlow(f.ToRecord(FlowSource.SFlow, agent, subAgent, rate));
        return status;
    }

    static DecodeStatus ReadFlowRecord(uint format, ReadOnlySpan<byte> rec, ref FlowFields f)
    {
        var r = new WireReader(rec);
        switch (format)
        {
            case RawPacketHeader:
                {
                    // "sampled_header": protocol, frame_length, stripped, header<>.
                    if (!r.TryU32(out var protocol) || !r.TryU32(out var frameLength) || !r.TryU32(out _) || !r.TryU32(out var headerLength))
                    {
                        return DecodeStatus.Truncated;
                    }
                    if (!r.TrySlice((int)Math.Min(headerLength, int.MaxValue), out var header))
                    {
                        return DecodeStatus.BadLength;
                    }
                    f.Bytes = frameLength;
                    PacketHeaderParser.Parse((int)Math.Min(protocol, int.MaxValue), header, ref f);
                    return DecodeStatus.Ok;
                }
            case SampledIPv4:
            case SampledIPv6:
                {
                    // "sampled_ipv4" / "sampled_ipv6": length, protocol, src, dst, ports, tcp_flags, tos/priority.
                    if (!r.TryU32(out var length) || !r.TryU32(out var protocol))
                    {
                        return DecodeStatus.Truncated;
                    }
                    NetAddress src, dst;
                    if (format == SampledIPv4)
                    {
                        if (!r.TryU32(out var s4) || !r.TryU32(out var d4))
                        {
                            return DecodeStatus.Truncated;
                        }
                        src = NetAddress.FromV4(s4);
                        dst = NetAddress.FromV4(d4);
                    }
                    else
                    {
                        if (!r.TrySlice(16, out var s6) || !r.TrySlice(16, out var d6))
                        {
                            return DecodeStatus.Truncated;
                        }
                        src = Wire.V6(s6);
                        dst = Wire.V6(d6);
                    }
                    if (!r.TryU32(out var sport) || !r.TryU32(out var dport) || !r.TryU32(out var flags) || !r.TryU32(out var tos))
                    {
                        return DecodeStatus.Truncated;
                    }
                    if (f.Protocol == 0 && f.Src.Value == 0)
                    {
                        // Only when no raw header was given: the header is the more detailed source.
                        f.Bytes = length;
                        f.Protocol = (byte)protocol;
                        f.Src = src;
                        f.Dst = dst;
                        f.SrcPort = (ushort)sport;
                        f.DstPort = (ushort)dport;
                        f.TcpFlags = (ushort)flags;
                        f.Tos = (byte)tos;
                    }
                    return DecodeStatus.Ok;
                }
            case ExtendedSwitch:
                {
                    if (!r.TryU32(out var srcVlan))
                    {
                        return DecodeStatus.Truncated;
                    }
                    if (f.Vlan == 0)
                    {
                        f.Vlan = (ushort)(srcVlan & 0xFFF);
                    }
                    return DecodeStatus.Ok;
                }
            case ExtendedGateway:
                return ReadGateway(ref r, ref f);
            default:
                return DecodeStatus.Ok;
        }
    }

    // "extended_gateway": next hop, as, src_as, src_peer_as, dst_as_path<>, communities<>, localpref.
    static DecodeStatus ReadGateway(ref WireReader r, ref FlowFields f)
    {
        if (!r.TryU32(out var type))
        {
            return DecodeStatus.Truncated;
        }
        if (!r.TrySkip(type == 2 ? 16 : 4) || !r.TryU32(out _) || !r.TryU32(out var srcAs) || !r.TryU32(out _) || !r.TryU32(out var segments))
        {
            return DecodeStatus.Truncated;
        }
        f.SrcAs = srcAs;
        for (var i = 0u; i < segments; i++)
        {
            if (!r.TryU32(out _) || !r.TryU32(out var count))
            {
                return DecodeStatus.Truncated;
            }
            if (count > (uint)r.Remaining / 4)
            {
                return DecodeStatus.BadLength;
            }
            for (var j = 0u; j < count; j++)
            {
                r.TryU32(out var asn);
                f.DstAs = asn; // the destination AS is the last one of the path
            }
        }
        return DecodeStatus.Ok;
    }

    // "counters_sample" (format 2) and "counters_sample_expanded" (format 4).
    static DecodeStatus ReadCounterSample<TSink>(ReadOnlySpan<byte> body, bool expanded, NetAddress agent, uint subAgent, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(body);
        uint type, index, records;
        if (expanded)
        {
            if (!r.TrySkip(4) || !r.TryU32(out type) || !r.TryU32(out index) || !r.TryU32(out records))
            {
                return DecodeStatus.Truncated;
            }
        }
        else
        {
            if (!r.TrySkip(4) || !r.TryU32(out var source) || !r.TryU32(out records))
            {
                return DecodeStatus.Truncated;
            }
            type = source >> 24;
            index = source & 0x00FF_FFFF;
        }
        if (records > (uint)r.Remaining / 8)
        {
            return DecodeStatus.BadCount;
        }
        for (var i = 0u; i < records; i++)
        {
            if (!r.TryU32(out var format) || !r.TryU32(out var length) || !r.TrySlice((int)Math.Min(length, int.MaxValue), out var rec))
            {
                return DecodeStatus.Truncated;
            }
            if (format != GenericInterfaceCounters)
            {
                continue;
            }
            var c = new WireReader(rec);
            // "if_counters": 88 bytes.
            if (!(c.TryU32(out var ifIndex) && c.TryU32(out var ifType) && c.TryU64(out var ifSpeed) && c.TryU32(out var dir) && c.TryU32(out var st)
                && c.TryU64(out var inOctets) && c.TryU32(out var inU) && c.TryU32(out var inM) && c.TryU32(out var inB) && c.TryU32(out var inD)
                && c.TryU32(out var inE) && c.TryU32(out var inUnk) && c.TryU64(out var outOctets) && c.TryU32(out var outU) && c.TryU32(out var outM)
                && c.TryU32(out var outB) && c.TryU32(out var outD) && c.TryU32(out var outE) && c.TryU32(out var promisc)))
            {
                return DecodeStatus.Truncated;
            }
            sink.OnCounters(new SFlowInterfaceCounters
            {
                Agent = agent,
                SubAgentId = subAgent,
                SourceIdType = type,
                SourceIdIndex = index,
                IfIndex = ifIndex,
                IfType = ifType,
                IfSpeed = ifSpeed,
                IfDirection = dir,
                IfStatus = st,
                InOctets = inOctets,
                InUnicastPackets = inU,
                InMulticastPackets = inM,
                InBroadcastPackets = inB,
                InDiscards = inD,
                InErrors = inE,
                InUnknownProtocols = inUnk,
                OutOctets = outOctets,
                OutUnicastPackets = outU,
                OutMulticastPackets = outM,
                OutBroadcastPackets = outB,
                OutDiscards = outD,
                OutErrors = outE,
                PromiscuousMode = promisc,
            });
        }
        return DecodeStatus.Ok;
    }
}
