using System.Buffers.Binary;
using Belfry.Core.Net;
using Belfry.Flows.Internal;

namespace Belfry.Flows.SFlow;

/// <summary>
/// Parses a sampled packet header (sFlow raw packet header record) through Ethernet, 802.1Q / 802.1ad
/// tags, MPLS labels, IPv4 or IPv6 (hop-by-hop, routing, destination options, fragment and AH
/// extension headers) and TCP, UDP, SCTP or ICMP. Headers are usually cut short (128 bytes by
/// default): whatever is present is read, the rest left at zero.
/// </summary>
internal static class PacketHeaderParser
{
    public const int ProtocolEthernet = 1;
    public const int ProtocolIPv4 = 11;
    public const int ProtocolIPv6 = 12;

    const ushort EtherTypeIPv4 = 0x0800;
    const ushort EtherTypeIPv6 = 0x86DD;
    const ushort EtherTypeVlan = 0x8100;
    const ushort EtherTypeQinQ = 0x88A8;
    const ushort EtherTypeQinQLegacy = 0x9100;
    const ushort EtherTypeMplsUnicast = 0x8847;
    const ushort EtherTypeMplsMulticast = 0x8848;

    public static void Parse(int headerProtocol, ReadOnlySpan<byte> h, ref FlowFields f)
    {
        switch (headerProtocol)
        {
            case ProtocolEthernet:
                ParseEthernet(h, ref f);
                break;
            case ProtocolIPv4:
                ParseIPv4(h, ref f);
                break;
            case ProtocolIPv6:
                ParseIPv6(h, ref f);
                break;
            default:
                break;
        }
    }

    // IEEE 802.3 / 802.1Q: destination, source, then tags until a payload EtherType.
    static void ParseEthernet(ReadOnlySpan<byte> h, ref FlowFields f)
    {
        if (h.Length < 14)
        {
            return;
        }
        var type = BinaryPrimitives.ReadUInt16BigEndian(h[12..]);
        var p = h[14..];
        for (var i = 0; i < FlowLimits.MaxHeaderNesting && type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQLegacy; i++)
        {
            if (p.Length < 4)
            {
                return;
            }
            if (f.Vlan == 0)
            {
                f.Vlan = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(p) & 0x0FFF);
            }
            type = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
            p = p[4..];
        }
        switch (type)
        {
            case EtherTypeIPv4:
                ParseIPv4(p, ref f);
                break;
            case EtherTypeIPv6:
                ParseIPv6(p, ref f);
                break;
            case EtherTypeMplsUnicast or EtherTypeMplsMulticast:
                ParseMpls(p, ref f);
                break;
            default:
                break;
        }
    }

    // RFC 3032 label stack: four bytes per entry, bottom of stack bit 0x100; then guess IPv4/IPv6 by the version nibble.
    static void ParseMpls(ReadOnlySpan<byte> p, ref FlowFields f)
    {
        for (var i = 0; i < FlowLimits.MaxHeaderNesting; i++)
        {
            if (p.Length < 4)
            {
                return;
            }
            var bottom = (p[2] & 0x01) != 0;
            p = p[4..];
            if (bottom)
            {
                if (p.IsEmpty)
                {
                    return;
                }
                switch (p[0] >> 4)
                {
                    case 4:
                        ParseIPv4(p, ref f);
                        break;
                    case 6:
                        ParseIPv6(p, ref f);
                        break;
                    default:
                        break;
                }
                return;
            }
        }
    }

    // RFC 791 §3.1.
    static void ParseIPv4(ReadOnlySpan<byte> p, ref FlowFields f)
    {
        if (p.Length < 20 || (p[0] >> 4) != 4)
        {
            return;
        }
        var ihl = (p[0] & 0x0F) * 4;
        if (ihl < 20)
        {
            return;
        }
        f.Tos = p[1];
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(p[6..]);
        var offset = fragment & 0x1FFF;
        f.Fragment = (fragment & 0x2000) != 0 || offset != 0;
        f.Protocol = p[9];
        f.Src = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(p[12..]));
        f.Dst = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(p[16..]));
        if (offset == 0 && p.Length > ihl)
        {
            ParseTransport(f.Protocol, p[ihl..], ref f);
        }
    }

    // RFC 8200 §3, §4.
    static void ParseIPv6(ReadOnlySpan<byte> p, ref FlowFields f)
    {
        if (p.Length < 40 || (p[0] >> 4) != 6)
        {
            return;
        }
        f.Tos = (byte)(BinaryPrimitives.ReadUInt16BigEndian(p) >> 4);
        var next = p[6];
        f.Src = Wire.V6(p.Slice(8, 16));
        f.Dst = Wire.V6(p.Slice(24, 16));
        p = p[40..];
        for (var i = 0; i < FlowLimits.MaxHeaderNesting; i++)
        {
            int length;
            switch (next)
            {
                case 0 or 43 or 60:
                    if (p.Length < 2)
                    {
                        f.Protocol = next;
                        return;
                    }
                    length = (p[1] + 1) * 8;
                    break;
                case 44:
                    if (p.Length < 8)
                    {
                        f.Protocol = next;
                        return;
                    }
                    f.Fragment = true;
                    if ((BinaryPrimitives.ReadUInt16BigEndian(p[2..]) & 0xFFF8) != 0)
                    {
                        f.Protocol = p[0]; // a later fragment: no transport header
                        return;
                    }
                    length = 8;
                    break;
                case 51:
                    if (p.Length < 2)
                    {
                        f.Protocol = next;
                        return;
                    }
                    length = (p[1] + 2) * 4;
                    break;
                default:
                    f.Protocol = next;
                    ParseTransport(next, p, ref f);
                    return;
            }
            if (p.Length < length)
            {
                f.Protocol = p[0];
                return;
            }
            next = p[0];
            p = p[length..];
        }
        f.Protocol = next;
    }

    static void ParseTransport(byte protocol, ReadOnlySpan<byte> p, ref FlowFields f)
    {
        switch (protocol)
        {
            case 6 or 17 or 132:
                if (p.Length >= 4)
                {
                    f.SrcPort = BinaryPrimitives.ReadUInt16BigEndian(p);
                    f.DstPort = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
                }
                if (protocol == 6 && p.Length >= 14)
                {
                    f.TcpFlags = (ushort)(((p[12] & 0x01) << 8) | p[13]);
                }
                break;
            case 1 or 58:
                if (p.Length >= 2)
                {
                    f.IcmpType = p[0];
                    f.IcmpCode = p[1];
                    f.IcmpSet = true;
                }
                break;
            default:
                break;
        }
    }
}
