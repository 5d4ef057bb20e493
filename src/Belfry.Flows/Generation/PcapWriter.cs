using System.Buffers.Binary;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>Writes a classic little-endian microsecond pcap file of Ethernet/IP/UDP packets, for the project's own captures.</summary>
public sealed class PcapWriter
{
    readonly Stream _stream;

    public PcapWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        _stream.Write(h);
    }

    public void WriteUdp(NetAddress src, ushort srcPort, NetAddress dst, ushort dstPort, long unixMicros, ReadOnlySpan<byte> payload)
    {
        var b = new WireBuffer();
        b.Bytes([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]).U16(src.IsV4 ? (ushort)0x0800 : (ushort)0x86DD);
        var udpLength = (ushort)(8 + payload.Length);
        if (src.IsV4)
        {
            b.U8(0x45).U8(0).U16((ushort)(20 + udpLength)).U16(0).U16(0x4000).U8(64).U8(17).U16(0).V4(src).V4(dst);
        }
        else
        {
            b.U32(0x6000_0000).U16(udpLength).U8(17).U8(64).V6(src).V6(dst);
        }
        b.U16(srcPort).U16(dstPort).U16(udpLength).U16(0).Bytes(payload);
        Span<byte> rec = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(rec, (uint)(unixMicros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], (uint)(unixMicros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(rec[8..], (uint)b.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(rec[12..], (uint)b.Length);
        _stream.Write(rec);
        _stream.Write(b.Written);
    }
}
