namespace Belfry.Flows.Templates;

/// <summary>What the decoder does with a template field; resolved once when the template arrives.</summary>
internal enum FieldKind : byte
{
    Skip = 0,
    Octets,
    Packets,
    Protocol,
    Tos,
    TcpFlags,
    SrcPort,
    DstPort,
    SrcV4,
    DstV4,
    SrcV6,
    DstV6,
    InIf,
    OutIf,
    SrcAs,
    DstAs,
    LastUptime,
    FirstUptime,
    IcmpTypeCode,
    IcmpType,
    IcmpCode,
    Vlan,
    FragmentFlags,
    FragmentOffset,
    StartSeconds,
    EndSeconds,
    StartMilliseconds,
    EndMilliseconds,
    StartMicroseconds,
    EndMicroseconds,
    SamplingInterval,
    SamplerId,
    SamplerRandomInterval,
    PacketInterval,
    PacketSpace,
    SamplingSize,
    SamplingPopulation,
    SystemInitMilliseconds,
}

internal static class FieldKinds
{
    /// <summary>
    /// Maps an element id (NetFlow v9 field type, RFC 3954 §8, or IPFIX IANA element, RFC 7012) of a
    /// given length to its kind. Elements 1..127 share numbers in both. Unusual lengths are skipped
    /// rather than misread.
    /// </summary>
    public static FieldKind Map(ushort id, ushort length)
    {
        var uint8 = length is >= 1 and <= 8;
        return id switch
        {
            1 when uint8 => FieldKind.Octets,
            2 when uint8 => FieldKind.Packets,
            4 when uint8 => FieldKind.Protocol,
            5 when uint8 => FieldKind.Tos,
            6 when uint8 => FieldKind.TcpFlags,
            7 when uint8 => FieldKind.SrcPort,
            8 when length == 4 => FieldKind.SrcV4,
            10 when uint8 => FieldKind.InIf,
            11 when uint8 => FieldKind.DstPort,
            12 when length == 4 => FieldKind.DstV4,
            14 when uint8 => FieldKind.OutIf,
            16 when uint8 => FieldKind.SrcAs,
            17 when uint8 => FieldKind.DstAs,
            21 when length == 4 => FieldKind.LastUptime,
            22 when length == 4 => FieldKind.FirstUptime,
            27 when length == 16 => FieldKind.SrcV6,
            28 when length == 16 => FieldKind.DstV6,
            32 or 139 when uint8 => FieldKind.IcmpTypeCode,
            34 when uint8 => FieldKind.SamplingInterval,
            48 or 302 when uint8 => FieldKind.SamplerId,
            50 when uint8 => FieldKind.SamplerRandomInterval,
            58 or 243 when uint8 => FieldKind.Vlan,
            88 when uint8 => FieldKind.FragmentOffset,
            150 when length == 4 => FieldKind.StartSeconds,
            151 when length == 4 => FieldKind.EndSeconds,
            152 when length == 8 => FieldKind.StartMilliseconds,
            153 when length == 8 => FieldKind.EndMilliseconds,
            154 when length == 8 => FieldKind.StartMicroseconds,
            155 when length == 8 => FieldKind.EndMicroseconds,
            160 when length == 8 => FieldKind.SystemInitMilliseconds,
            176 or 178 when uint8 => FieldKind.IcmpType,
            177 or 179 when uint8 => FieldKind.IcmpCode,
            197 when length == 1 => FieldKind.FragmentFlags,
            305 when uint8 => FieldKind.PacketInterval,
            306 when uint8 => FieldKind.PacketSpace,
            309 when uint8 => FieldKind.SamplingSize,
            310 when uint8 => FieldKind.SamplingPopulation,
            _ => FieldKind.Skip,
        };
    }
}
