using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Belfry.Core.Net;

namespace Belfry.Flows.Internal;

/// <summary>
/// Mutable accumulator a decoder fills field by field, then turns into an immutable <see cref="FlowRecord"/>.
/// Also carries the sampling and time elements that only options records use.
/// </summary>
internal struct FlowFields
{
    public NetAddress Src;
    public NetAddress Dst;
    public bool SrcSet;
    public bool DstSet;
    public ushort SrcPort;
    public ushort DstPort;
    public byte Protocol;
    public ushort TcpFlags;
    public byte Tos;
    public ulong Packets;
    public ulong Bytes;
    public uint InIf;
    public uint OutIf;
    public uint SrcAs;
    public uint DstAs;
    public bool Fragment;
    public byte FragmentFlags;
    public uint FragmentOffset;
    public byte IcmpType;
    public byte IcmpCode;
    public bool IcmpSet;
    public ushort Vlan;

    // Times as the exporter gave them; resolved by the decoder with header context.
    public uint FirstUptime;
    public uint LastUptime;
    public bool UptimeSet;
    public long StartMs;
    public long EndMs;

    // Sampling (RFC 3954 fields 34, 35, 48, 50; RFC 5477 IEs 302, 305, 306, 309, 310).
    public ulong SamplingInterval;
    public ulong SamplerRandomInterval;
    public ulong PacketInterval;
    public ulong PacketSpace;
    public ulong SamplingSize;
    public ulong SamplingPopulation;
    public ulong SamplerId;
    public bool HasSamplingInfo;
    public bool HasPacketSpace;
    public bool HasSamplerId;
    public long SystemInitMs;

    /// <summary>Rate from the sampling elements of this record; 0 when absent or meaningless.</summary>
    public readonly uint SamplingRateFromFields()
    {
        if (SamplingInterval != 0)
        {
            return Clamp(SamplingInterval);
        }
        if (SamplerRandomInterval != 0)
        {
            return Clamp(SamplerRandomInterval);
        }
        if (SamplingSize != 0 && SamplingPopulation != 0)
        {
            return Clamp(SamplingPopulation / SamplingSize);
        }
        if (HasPacketSpace && PacketInterval != 0)
        {
            return Clamp((PacketInterval + PacketSpace) / PacketInterval);
        }
        return 0;
    }

    static uint Clamp(ulong v) => v > uint.MaxValue ? uint.MaxValue : (uint)v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetSrc(NetAddress a, bool nonZero)
    {
        // Templates often carry both IPv4 and IPv6 address fields, one of them zero: the first non-zero wins.
        if (!SrcSet)
        {
            Src = a;
            SrcSet = nonZero;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetDst(NetAddress a, bool nonZero)
    {
        if (!DstSet)
        {
            Dst = a;
            DstSet = nonZero;
        }
    }

    public readonly FlowRecord ToRecord(FlowSource source, NetAddress exporter, uint domain, uint rate)
    {
        if (rate == 0)
        {
            rate = 1;
        }
        return new FlowRecord
        {
            Source = source,
            Exporter = exporter,
            ObservationDomain = domain,
            SrcAddress = Src,
            DstAddress = Dst,
            SrcPort = SrcPort,
            DstPort = DstPort,
            Protocol = Protocol,
            TcpFlags = TcpFlags,
            Tos = Tos,
            RawPackets = Packets,
            RawBytes = Bytes,
            Packets = Scale(Packets, rate),
            Bytes = Scale(Bytes, rate),
            SamplingRate = rate,
            StartUnixMs = StartMs,
            EndUnixMs = EndMs,
            InputInterface = InIf,
            OutputInterface = OutIf,
            SrcAs = SrcAs,
            DstAs = DstAs,
            IsFragment = Fragment || (FragmentFlags & 0x20) != 0 || FragmentOffset != 0,
            IcmpType = IcmpType,
            IcmpCode = IcmpCode,
            Vlan = Vlan,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Scale(ulong raw, uint rate)
    {
        var hi = Math.BigMul(raw, rate, out var lo);
        return hi == 0 ? lo : ulong.MaxValue;
    }
}

internal static class Wire
{
    /// <summary>Unsigned big-endian integer of 1 to 8 bytes (IPFIX reduced-size encoding, RFC 7011 §6.2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadUInt(ReadOnlySpan<byte> v)
    {
        switch (v.Length)
        {
            case 1:
                return v[0];
            case 2:
                return BinaryPrimitives.ReadUInt16BigEndian(v);
            case 4:
                return BinaryPrimitives.ReadUInt32BigEndian(v);
            case 8:
                return BinaryPrimitives.ReadUInt64BigEndian(v);
            default:
                ulong acc = 0;
                foreach (var b in v)
                {
                    acc = (acc << 8) | b;
                }
                return acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Clamp32(ulong v) => v > uint.MaxValue ? uint.MaxValue : (uint)v;

    public static NetAddress V6(ReadOnlySpan<byte> b16) => new(BinaryPrimitives.ReadUInt128BigEndian(b16));
}
