using System.Buffers.Binary;
using Belfry.Core.Net;
using Belfry.Flows.Internal;

namespace Belfry.Flows;

/// <summary>
/// NetFlow v5 (Cisco, no RFC): a 24-byte header and up to 30 records of 48 bytes. Stateless.
/// https://www.cisco.com/c/en/us/td/docs/net_mgmt/netflow_collection_engine/3-6/user/guide/format.html
/// </summary>
public static class NetFlowV5Decoder
{
    public const int HeaderLength = 24;
    public const int RecordLength = 48;

    public static DecodeStatus Decode<TSink>(ReadOnlySpan<byte> datagram, NetAddress exporter, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(datagram);
        if (!r.TryU16(out var version))
        {
            return DecodeStatus.Truncated;
        }
        if (version != 5)
        {
            return DecodeStatus.BadVersion;
        }
        if (!r.TryU16(out var count))
        {
            return DecodeStatus.Truncated;
        }
        if (count is 0 or > FlowLimits.MaxNetFlowV5Records)
        {
            return DecodeStatus.BadCount;
        }
        if (datagram.Length < HeaderLength + (count * RecordLength))
        {
            return DecodeStatus.Truncated;
        }
        r.TryU32(out var sysUptime);
        r.TryU32(out var unixSecs);
        r.TryU32(out var unixNsecs);
        r.TryU32(out _);
        r.TryU8(out var engineType);
        r.TryU8(out var engineId);
        r.TryU16(out var sampling);
        // Top two bits: sampling mode; low 14 bits: interval. 0 means not sampled.
        var rate = (uint)(sampling & 0x3FFF);
        var exportMs = (unixSecs * 1000L) + (unixNsecs / 1_000_000);
        var domain = (uint)((engineType << 8) | engineId);
        var records = datagram.Slice(HeaderLength, count * RecordLength);
        for (var i = 0; i < count; i++)
        {
            var rec = records.Slice(i * RecordLength, RecordLength);
            var f = default(FlowFields);
            f.Src = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(rec));
            f.Dst = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(rec[4..]));
            f.InIf = BinaryPrimitives.ReadUInt16BigEndian(rec[12..]);
            f.OutIf = BinaryPrimitives.ReadUInt16BigEndian(rec[14..]);
            f.Packets = BinaryPrimitives.ReadUInt32BigEndian(rec[16..]);
            f.Bytes = BinaryPrimitives.ReadUInt32BigEndian(rec[20..]);
            var first = BinaryPrimitives.ReadUInt32BigEndian(rec[24..]);
            var last = BinaryPrimitives.ReadUInt32BigEndian(rec[28..]);
            f.StartMs = exportMs - (uint)(sysUptime - first);
            f.EndMs = exportMs - (uint)(sysUptime - last);
            f.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(rec[32..]);
            f.DstPort = BinaryPrimitives.ReadUInt16BigEndian(rec[34..]);
            f.TcpFlags = rec[37];
            f.Protocol = rec[38];
            f.Tos = rec[39];
            f.SrcAs = BinaryPrimitives.ReadUInt16BigEndian(rec[40..]);
            f.DstAs = BinaryPrimitives.ReadUInt16BigEndian(rec[42..]);
            if (f.Protocol is 1 or 58)
            {
                // v5 has no ICMP fields: exporters put type << 8 | code in the destination port.
                f.IcmpType = (byte)(f.DstPort >> 8);
                f.IcmpCode = (byte)f.DstPort;
            }
            sink.OnFlow(f.ToRecord(FlowSource.NetFlowV5, exporter, domain, rate));
        }
        return DecodeStatus.Ok;
    }
}
