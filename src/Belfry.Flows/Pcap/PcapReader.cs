using System.Buffers.Binary;
using Belfry.Core.Net;
using Belfry.Flows.Internal;

namespace Belfry.Flows.Pcap;

/// <summary>State of a <see cref="PcapReader"/>: anything but <see cref="Ok"/> and <see cref="End"/> is a damaged file.</summary>
public enum PcapStatus : byte
{
    Ok = 0,
    End,
    /// <summary>Not a classic libpcap file (pcapng is not supported).</summary>
    BadMagic,
    /// <summary>The file ends inside a header or a packet.</summary>
    Truncated,
    /// <summary>A packet record claims more bytes than <see cref="FlowLimits.MaxPcapRecordLength"/>.</summary>
    BadRecordLength,
    /// <summary>A link type other than Ethernet, Linux SLL/SLL2, raw IP or BSD loopback.</summary>
    UnsupportedLinkType,
}

/// <summary>One UDP datagram found in a capture; <see cref="Payload"/> is valid until the next read.</summary>
public readonly ref struct UdpDatagram
{
    public UdpDatagram(NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort, long timestampUnixMicros, ReadOnlySpan<byte> payload)
    {
        Source = source;
        SourcePort = sourcePort;
        Destination = destination;
        DestinationPort = destinationPort;
        TimestampUnixMicros = timestampUnixMicros;
        Payload = payload;
    }

    public NetAddress Source { get; }
    public ushort SourcePort { get; }
    public NetAddress Destination { get; }
    public ushort DestinationPort { get; }
    public long TimestampUnixMicros { get; }
    public ReadOnlySpan<byte> Payload { get; }
}

/// <summary>
/// Reads a classic libpcap file (https://www.tcpdump.org/manpages/pcap-savefile.5.txt, either byte
/// order, micro- or nanosecond timestamps) from a stream and yields the UDP datagrams it holds
/// (unfragmented IPv4, IPv6 with extension headers).
/// Packets that are not UDP are counted in <see cref="SkippedPackets"/>. Never throws on bad data.
/// </summary>
public sealed class PcapReader
{
    public const uint LinkTypeNull = 0;
    public const uint LinkTypeEthernet = 1;
    public const uint LinkTypeRaw = 101;
    public const uint LinkTypeLinuxSll = 113;
    public const uint LinkTypeIPv4 = 228;
    public const uint LinkTypeIPv6 = 229;
    public const uint LinkTypeLinuxSll2 = 276;

    readonly Stream _stream;
    readonly byte[] _header = new byte[24];
    byte[] _buffer = new byte[2048];
    bool _bigEndian;
    bool _nanoseconds;
    bool _started;

    public PcapReader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    public PcapStatus Status { get; private set; }
    public uint LinkType { get; private set; }
    public long Packets { get; private set; }
    public long SkippedPackets { get; private set; }

    /// <summary>Next UDP datagram; false at the end of the file or on damage (see <see cref="Status"/>).</summary>
    public bool TryReadUdp(out UdpDatagram datagram)
    {
        while (TryReadFrame(out var frame, out var micros))
        {
            if (TryParseUdp(LinkType, frame, micros, out datagram))
            {
                return true;
            }
            SkippedPackets++;
        }
        datagram = default;
        return false;
    }

    /// <summary>Next raw frame (link-layer bytes as captured) and its timestamp.</summary>
    public bool TryReadFrame(out ReadOnlySpan<byte> frame, out long timestampUnixMicros)
    {
        frame = default;
        timestampUnixMicros = 0;
        if (!_started && !Start())
        {
            return false;
        }
        if (Status != PcapStatus.Ok)
        {
            return false;
        }
        var got = Fill(_header.AsSpan(0, 16));
        if (got == 0)
        {
            Status = PcapStatus.End;
            return false;
        }
        if (got < 16)
        {
            Status = PcapStatus.Truncated;
            return false;
        }
        var seconds = U32(_header.AsSpan(0));
        var fraction = U32(_header.AsSpan(4));
        var included = U32(_header.AsSpan(8));
        if (included > FlowLimits.MaxPcapRecordLength)
        {
            Status = PcapStatus.BadRecordLength;
            return false;
        }
        if (_buffer.Length < included)
        {
            _buffer = new byte[Math.Max(included, _buffer.Length * 2)];
        }
        if (Fill(_buffer.AsSpan(0, (int)included)) < included)
        {
            Status = PcapStatus.Truncated;
            return false;
        }
        Packets++;
        timestampUnixMicros = (seconds * 1_000_000L) + (_nanoseconds ? fraction / 1000 : fraction);
        frame = _buffer.AsSpan(0, (int)included);
        return true;
    }

    bool Start()
    {
        _started = true;
        if (Fill(_header) < 24)
        {
            Status = PcapStatus.Truncated;
            return false;
        }
        switch (BinaryPrimitives.ReadUInt32LittleEndian(_header))
        {
            case 0xA1B2C3D4:
                break;
            case 0xA1B23C4D:
                _nanoseconds = true;
                break;
            case 0xD4C3B2A1:
                _bigEndian = true;
                break;
            case 0x4D3CB2A1:
                _bigEndian = true;
                _nanoseconds = true;
                break;
            default:
                Status = PcapStatus.BadMagic;
                return false;
        }
        // The link type shares its 32 bits with FCS flags in the upper bits (pcap-savefile(5)).
        LinkType = U32(_header.AsSpan(20)) & 0x0FFF_FFFF;
        if (LinkType is not (LinkTypeNull or LinkTypeEthernet or LinkTypeRaw or LinkTypeLinuxSll or LinkTypeLinuxSll2 or LinkTypeIPv4 or LinkTypeIPv6 or 12 or 14))
        {
            Status = PcapStatus.UnsupportedLinkType;
            return false;
        }
        return true;
    }

    uint U32(ReadOnlySpan<byte> b) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);

    int Fill(Span<byte> into)
    {
        var total = 0;
        while (total < into.Length)
        {
            var n = _stream.Read(into[total..]);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Finds the UDP datagram in one captured frame of the given link type; pure, no state.</summary>
    public static bool TryParseUdp(uint linkType, ReadOnlySpan<byte> frame, long timestampUnixMicros, out UdpDatagram datagram)
    {
        datagram = default;
        ReadOnlySpan<byte> ip;
        switch (linkType)
        {
            case LinkTypeEthernet:
                {
                    if (frame.Length < 14)
                    {
                        return false;
                    }
                    var type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                    var p = frame[14..];
                    for (var i = 0; i < FlowLimits.MaxHeaderNesting && type is 0x8100 or 0x88A8 or 0x9100; i++)
                    {
                        if (p.Length < 4)
                        {
                            return false;
                        }
                        type = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
                        p = p[4..];
                    }
                    if (type is not (0x0800 or 0x86DD))
                    {
                        return false;
                    }
                    ip = p;
                    break;
                }
            case LinkTypeLinuxSll:
                if (frame.Length < 16)
                {
                    return false;
                }
                ip = frame[16..];
                break;
            case LinkTypeLinuxSll2:
                if (frame.Length < 20)
                {
                    return false;
                }
                ip = frame[20..];
                break;
            case LinkTypeNull:
                if (frame.Length < 4)
                {
                    return false;
                }
                ip = frame[4..];
                break;
            default:
                ip = frame;
                break;
        }
        return TryParseIp(ip, timestampUnixMicros, out datagram);
    }

    static bool TryParseIp(ReadOnlySpan<byte> ip, long micros, out UdpDatagram datagram)
    {
        datagram = default;
        if (ip.IsEmpty)
        {
            return false;
        }
        NetAddress src, dst;
        ReadOnlySpan<byte> udp;
        if (ip[0] >> 4 == 4)
        {
            if (ip.Length < 20)
            {
                return false;
            }
            var ihl = (ip[0] & 0x0F) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            // A fragmented datagram is not reassembled: its payload would be incomplete.
            if (ihl < 20 || ip[9] != 17 || (fragment & 0x3FFF) != 0 || total < ihl || total > ip.Length)
            {
                return false;
            }
            src = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
            dst = NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
            udp = ip[ihl..total];
        }
        else if (ip[0] >> 4 == 6)
        {
            if (ip.Length < 40)
            {
                return false;
            }
            var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            if (40 + payloadLength > ip.Length)
            {
                return false;
            }
            var next = ip[6];
            src = Wire.V6(ip.Slice(8, 16));
            dst = Wire.V6(ip.Slice(24, 16));
            var p = ip.Slice(40, payloadLength);
            for (var i = 0; i < FlowLimits.MaxHeaderNesting && next is 0 or 43 or 60; i++)
            {
                if (p.Length < 2 || p.Length < (p[1] + 1) * 8)
                {
                    return false;
                }
                next = p[0];
                p = p[((p[1] + 1) * 8)..];
            }
            if (next != 17)
            {
                return false;
            }
            udp = p;
        }
        else
        {
            return false;
        }
        if (udp.Length < 8)
        {
            return false;
        }
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < 8 || udpLength > udp.Length)
        {
            return false;
        }
        datagram = new UdpDatagram(src, BinaryPrimitives.ReadUInt16BigEndian(udp), dst, BinaryPrimitives.ReadUInt16BigEndian(udp[2..]), micros, udp[8..udpLength]);
        return true;
    }
}
