using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Belfry.Core.Net;
using Belfry.Flows.Internal;

namespace Belfry.Flows.Templates;

/// <summary>Reads data records against a compiled template (RFC 3954 §5.3, RFC 7011 §3.4.3).</summary>
internal static class RecordDecoder
{
    /// <summary>
    /// Reads the record at <paramref name="pos"/>. Returns false when what is left is padding
    /// (shorter than the smallest record) or, with <paramref name="overrun"/> set, when a
    /// variable-length field runs past the set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(FlowTemplate t, ReadOnlySpan<byte> set, ref int pos, ref FlowFields f, out bool overrun)
    {
        overrun = false;
        var left = set.Length - pos;
        if (left < t.MinRecordLength)
        {
            return false;
        }
        if (!t.HasVariable)
        {
            var rec = set.Slice(pos, t.FixedLength);
            foreach (var field in t.Fields)
            {
                Apply(field.Kind, rec.Slice(field.Offset, field.Length), ref f);
            }
            pos += t.FixedLength;
            return true;
        }
        var p = pos;
        foreach (var field in t.Fields)
        {
            int len = field.Length;
            if (len == FlowTemplate.VariableLength)
            {
                // RFC 7011 §7: one length byte, or 255 followed by a two-byte length.
                if (p >= set.Length)
                {
                    overrun = true;
                    return false;
                }
                len = set[p++];
                if (len == 255)
                {
                    if (set.Length - p < 2)
                    {
                        overrun = true;
                        return false;
                    }
                    len = BinaryPrimitives.ReadUInt16BigEndian(set[p..]);
                    p += 2;
                }
            }
            if (set.Length - p < len)
            {
                overrun = true;
                return false;
            }
            if (field.Kind != TemplateFieldKind.Skip)
            {
                Apply(field.Kind, set.Slice(p, len), ref f);
            }
            p += len;
        }
        pos = p;
        return true;
    }

    static void Apply(TemplateFieldKind kind, ReadOnlySpan<byte> v, ref FlowFields f)
    {
        switch (kind)
        {
            case TemplateFieldKind.Octets:
                f.Bytes = Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.Packets:
                f.Packets = Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.Protocol:
                f.Protocol = (byte)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.Tos:
                f.Tos = (byte)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.TcpFlags:
                f.TcpFlags = (ushort)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.SrcPort:
                f.SrcPort = (ushort)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.DstPort:
                f.DstPort = (ushort)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.SrcV4:
                {
                    var a = BinaryPrimitives.ReadUInt32BigEndian(v);
                    f.SetSrc(NetAddress.FromV4(a), a != 0);
                    break;
                }
            case TemplateFieldKind.DstV4:
                {
                    var a = BinaryPrimitives.ReadUInt32BigEndian(v);
                    f.SetDst(NetAddress.FromV4(a), a != 0);
                    break;
                }
            case TemplateFieldKind.SrcV6:
                {
                    var a = Wire.V6(v);
                    f.SetSrc(a, a.Value != 0);
                    break;
                }
            case TemplateFieldKind.DstV6:
                {
                    var a = Wire.V6(v);
                    f.SetDst(a, a.Value != 0);
                    break;
                }
            case TemplateFieldKind.InIf:
                f.InIf = Wire.Clamp32(Wire.ReadUInt(v));
                break;
            case TemplateFieldKind.OutIf:
                f.OutIf = Wire.Clamp32(Wire.ReadUInt(v));
                break;
            case TemplateFieldKind.SrcAs:
                f.SrcAs = Wire.Clamp32(Wire.ReadUInt(v));
                break;
            case TemplateFieldKind.DstAs:
                f.DstAs = Wire.Clamp32(Wire.ReadUInt(v));
                break;
            case TemplateFieldKind.FirstUptime:
                f.FirstUptime = BinaryPrimitives.ReadUInt32BigEndian(v);
                f.UptimeSet = true;
                break;
            case TemplateFieldKind.LastUptime:
                f.LastUptime = BinaryPrimitives.ReadUInt32BigEndian(v);
                f.UptimeSet = true;
                break;
            case TemplateFieldKind.IcmpTypeCode:
                {
                    var tc = (ushort)Wire.ReadUInt(v);
                    f.IcmpType = (byte)(tc >> 8);
                    f.IcmpCode = (byte)tc;
                    f.IcmpSet = true;
                    break;
                }
            case TemplateFieldKind.IcmpType:
                f.IcmpType = (byte)Wire.ReadUInt(v);
                f.IcmpSet = true;
                break;
            case TemplateFieldKind.IcmpCode:
                f.IcmpCode = (byte)Wire.ReadUInt(v);
                f.IcmpSet = true;
                break;
            case TemplateFieldKind.Vlan:
                if (f.Vlan == 0)
                {
                    f.Vlan = (ushort)(Wire.ReadUInt(v) & 0xFFF);
                }
                break;
            case TemplateFieldKind.FragmentFlags:
                f.FragmentFlags = v[0];
                break;
            case TemplateFieldKind.FragmentOffset:
                f.FragmentOffset = (uint)Wire.ReadUInt(v);
                break;
            case TemplateFieldKind.StartSeconds:
                f.StartMs = BinaryPrimitives.ReadUInt32BigEndian(v) * 1000L;
                break;
            case TemplateFieldKind.EndSeconds:
                f.EndMs = BinaryPrimitives.ReadUInt32BigEndian(v) * 1000L;
                break;
            case TemplateFieldKind.StartMilliseconds:
                f.StartMs = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(v), long.MaxValue);
                break;
            case TemplateFieldKind.EndMilliseconds:
                f.EndMs = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(v), long.MaxValue);
                break;
            case TemplateFieldKind.StartMicroseconds:
                f.StartMs = NtpToUnixMs(BinaryPrimitives.ReadUInt64BigEndian(v));
                break;
            case TemplateFieldKind.EndMicroseconds:
                f.EndMs = NtpToUnixMs(BinaryPrimitives.ReadUInt64BigEndian(v));
                break;
            case TemplateFieldKind.SamplingInterval:
                f.SamplingInterval = Wire.ReadUInt(v);
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.SamplerId:
                f.SamplerId = Wire.ReadUInt(v);
                f.HasSamplerId = true;
                break;
            case TemplateFieldKind.SamplerRandomInterval:
                f.SamplerRandomInterval = Wire.ReadUInt(v);
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.PacketInterval:
                f.PacketInterval = Wire.ReadUInt(v);
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.PacketSpace:
                f.PacketSpace = Wire.ReadUInt(v);
                f.HasPacketSpace = true;
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.SamplingSize:
                f.SamplingSize = Wire.ReadUInt(v);
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.SamplingPopulation:
                f.SamplingPopulation = Wire.ReadUInt(v);
                f.HasSamplingInfo = true;
                break;
            case TemplateFieldKind.SystemInitMilliseconds:
                f.SystemInitMs = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(v), long.MaxValue);
                break;
            default:
                break;
        }
    }

    // RFC 7011 §6.1.10 dateTimeMicroseconds: NTP era-0 seconds since 1900 and a binary fraction.
    static long NtpToUnixMs(ulong ntp)
    {
        const long NtpToUnixSeconds = 2_208_988_800;
        var seconds = (long)(ntp >> 32) - NtpToUnixSeconds;
        var ms = (long)(((ntp & 0xFFFF_FFFF) * 1000) >> 32);
        return (seconds * 1000) + ms;
    }
}
