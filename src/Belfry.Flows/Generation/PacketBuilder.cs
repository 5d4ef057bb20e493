using System.Buffers.Binary;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>What <see cref="PacketBuilder"/> puts in a frame.</summary>
public sealed record PacketSpec
{
    public required NetAddress Src { get; init; }
    public required NetAddress Dst { get; init; }
    public byte Protocol { get; init; } = 17;
    public ushort SrcPort { get; init; }
    public ushort DstPort { get; init; }
    public byte TcpFlags { get; init; }
    public byte IcmpType { get; init; }
    public byte IcmpCode { get; init; }
    public byte Tos { get; init; }

    /// <summary>802.1Q tags, outermost first; two or more make QinQ (outer 0x88A8).</summary>
    public IReadOnlyList<ushort> Vlans { get; init; } = [];

    /// <summary>MPLS labels, top first.</summary>
    public IReadOnlyList<uint> MplsLabels { get; init; } = [];

    /// <summary>IPv4 MF bit / IPv6 fragment header (first fragment, so ports remain).</summary>
    public bool MoreFragments { get; init; }

    /// <summary>IPv4 fragment offset in 8-byte units (non-zero: no transport header).</summary>
    public ushort FragmentOffset { get; init; }

    /// <summary>IPv6 hop-by-hop options header before the transport header.</summary>
    public bool IPv6HopByHop { get; init; }

    public int PayloadLength { get; init; }
}

/// <summary>Builds Ethernet frames for sFlow raw packet header records and pcap files.</summary>
public static class PacketBuilder
{
    public static byte[] Ethernet(PacketSpec p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var b = new WireBuffer();
        b.Bytes([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]);
        for (var i = 0; i < p.Vlans.Count; i++)
        {
            var tpid = (ushort)(i == 0 && p.Vlans.Count > 1 ? 0x88A8 : 0x8100);
            b.U16(tpid).U16(p.Vlans[i]);
        }
        if (p.MplsLabels.Count > 0)
        {
            b.U16(0x8847);
            for (var i = 0; i < p.MplsLabels.Count; i++)
            {
                var bottom = i == p.MplsLabels.Count - 1 ? 1u : 0u;
                b.U32((p.MplsLabels[i] << 12) | (bottom << 8) | 64);
            }
        }
        else
        {
            b.U16(p.Src.IsV4 ? (ushort)0x0800 : (ushort)0x86DD);
        }
        b.Bytes(Ip(p));
        return b.ToArray();
    }

    /// <summary>The IP packet alone (raw IP link type, sFlow header protocol 11/12).</summary>
    public static byte[] Ip(PacketSpec p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var l4 = Transport(p);
        var b = new WireBuffer();
        if (p.Src.IsV4)
        {
            var flags = (ushort)((p.MoreFragments ? 0x2000 : 0) | (p.FragmentOffset & 0x1FFF));
            b.U8(0x45).U8(p.Tos).U16((ushort)(20 + l4.Length)).U16(0x1234).U16(flags).U8(64).U8(p.Protocol).U16(0).V4(p.Src).V4(p.Dst);
            var header = b.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), Checksum(header));
            return [.. header, .. l4];
        }
        var ext = new WireBuffer();
        var next = p.Protocol;
        if (p.MoreFragments)
        {
            ext.U8(next).U8(0).U16(1).U32(0xABCD); // offset 0, M flag
            next = 44;
        }
        if (p.IPv6HopByHop)
        {
            var inner = ext.ToArray();
            ext = new WireBuffer();
            ext.U8(next).U8(0).Bytes([1, 4, 0, 0, 0, 0]).Bytes(inner);
            next = 0;
        }
        b.U32((uint)(0x6000_0000 | (p.Tos << 20))).U16((ushort)(ext.Length + l4.Length)).U8(next).U8(64).V6(p.Src).V6(p.Dst).Bytes(ext.Written).Bytes(l4);
        return b.ToArray();
    }

    static byte[] Transport(PacketSpec p)
    {
        var b = new WireBuffer();
        if (p.Src.IsV4 && p.FragmentOffset != 0)
        {
            return new byte[Math.Max(8, p.PayloadLength)];
        }
        switch (p.Protocol)
        {
            case 6:
                b.U16(p.SrcPort).U16(p.DstPort).U32(1).U32(0).U8(0x50).U8(p.TcpFlags).U16(65535).U32(0);
                break;
            case 17:
                b.U16(p.SrcPort).U16(p.DstPort).U16((ushort)(8 + p.PayloadLength)).U16(0);
                break;
            case 1 or 58:
                b.U8(p.IcmpType).U8(p.IcmpCode).U16(0).U32(0);
                break;
            default:
                break;
        }
        b.Zeros(p.PayloadLength);
        return b.ToArray();
    }

    static ushort Checksum(ReadOnlySpan<byte> h)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < h.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(h[i..]);
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
