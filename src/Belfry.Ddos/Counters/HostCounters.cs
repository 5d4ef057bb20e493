using System.Runtime.CompilerServices;

namespace Belfry.Ddos.Counters;

/// <summary>Packets, bytes and flow records of one traffic class in one second (16 bytes).</summary>
public struct ClassCounter
{
    /// <summary>Sampling-corrected bytes (saturating).</summary>
    public ulong Bytes;

    /// <summary>Sampling-corrected packets (saturating at <see cref="uint.MaxValue"/> per second).</summary>
    public uint Packets;

    /// <summary>Flow records (NetFlow/IPFIX) or samples (sFlow) seen, not corrected for sampling.</summary>
    public uint Flows;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(uint packets, ulong bytes)
    {
        var p = (ulong)Packets + packets;
        Packets = p > uint.MaxValue ? uint.MaxValue : (uint)p;
        var b = Bytes + bytes;
        Bytes = b < bytes ? ulong.MaxValue : b;
        Flows++;
    }

    internal void Add(in ClassCounter other)
    {
        var p = (ulong)Packets + other.Packets;
        Packets = p > uint.MaxValue ? uint.MaxValue : (uint)p;
        var b = Bytes + other.Bytes;
        Bytes = b < other.Bytes ? ulong.MaxValue : b;
        var f = (ulong)Flows + other.Flows;
        Flows = f > uint.MaxValue ? uint.MaxValue : (uint)f;
    }
}

/// <summary>One <see cref="ClassCounter"/> per <see cref="TrafficClass"/>.</summary>
[InlineArray(TrafficClasses.Count)]
public struct ClassCounterArray
{
    ClassCounter _element;
}

/// <summary>One direction of one host (or prefix) for one second, split by <see cref="TrafficClass"/>.</summary>
public struct DirectionCounters
{
    public ClassCounterArray Classes;

    public readonly uint Packets => Classes[0].Packets;
    public readonly ulong Bytes => Classes[0].Bytes;
    public readonly uint Flows => Classes[0].Flows;

    public readonly ClassCounter this[TrafficClass c] => Classes[(int)c];

    /// <summary>Counts one record: protocol classes from the protocol, TCP flags, fragment flag and UDP source port.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Count(byte protocol, ushort tcpFlags, ushort sourcePort, bool fragment, uint packets, ulong bytes)
    {
        Classes[(int)TrafficClass.Total].Add(packets, bytes);
        switch (protocol)
        {
            case 6:
                Classes[(int)TrafficClass.Tcp].Add(packets, bytes);
                // SYN 0x02, ACK 0x10, RST 0x04; FIN 0x01, PSH 0x08, URG 0x20.
                if ((tcpFlags & 0x12) == 0x02)
                {
                    Classes[(int)TrafficClass.TcpSyn].Add(packets, bytes);
                }
                else if ((tcpFlags & 0x14) != 0 && (tcpFlags & 0x2B) == 0)
                {
                    Classes[(int)TrafficClass.TcpAckRst].Add(packets, bytes);
                }
                break;
            case 17:
                Classes[(int)TrafficClass.Udp].Add(packets, bytes);
                var amp = TrafficClasses.ForUdpSourcePort(sourcePort);
                if (amp != TrafficClass.Total)
                {
                    Classes[(int)amp].Add(packets, bytes);
                }
                else if (!fragment)
                {
                    Classes[(int)TrafficClass.UdpOther].Add(packets, bytes);
                }
                break;
            case 1:
            case 58:
                Classes[(int)TrafficClass.Icmp].Add(packets, bytes);
                break;
        }
        if (fragment)
        {
            Classes[(int)TrafficClass.Fragment].Add(packets, bytes);
        }
    }

    public void Add(in DirectionCounters other)
    {
        for (var i = 0; i < TrafficClasses.Count; i++)
        {
            Classes[i].Add(other.Classes[i]);
        }
    }
}

/// <summary>
/// A monitored host's counters for one second: <see cref="In"/> is traffic to the host,
/// <see cref="Out"/> traffic from it. A mutable struct stored in place in the shard's dictionary.
/// </summary>
public struct HostCounters
{
    // The fields every record reads come first, on the entry's first cache line with the key and In's totals.

    /// <summary>Distinct-source and heavy-hitter sketches of inbound traffic; only for busy or watched hosts.</summary>
    internal HostDetail? Detail;

    /// <summary>Index of the monitored network the host belongs to.</summary>
    internal int Network;

    /// <summary>No detail could be had this second (the pool was empty): do not ask again.</summary>
    internal bool DetailDenied;

    public DirectionCounters In;
    public DirectionCounters Out;
}
