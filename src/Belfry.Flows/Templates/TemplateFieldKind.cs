namespace Belfry.Flows.Templates;

/// <summary>What the decoder does with a template field; resolved once when the template arrives.</summary>
internal enum TemplateFieldKind : byte
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
    public static TemplateFieldKind Map(ushort id, ushort length)
    {
        var uint8 = length is >= 1 and <= 8;
        return id switch
        {
            1 when uint8 => TemplateFieldKind.Octets,
            2 when uint8 => TemplateFieldKind.Packets,
            4 when uint8 => TemplateFieldKind.Protocol,
            5 when uint8 => TemplateFieldKind.Tos,
            6 when uint8 => TemplateFieldKind.TcpFlags,
            7 when uint8 => TemplateFieldKind.SrcPort,
            8 when length == 4 => TemplateFieldKind.SrcV4,
            10 when uint8 => TemplateFieldKind.InIf,
            11 when uint8 => TemplateFieldKind.DstPort,
            12 when length == 4 => TemplateFieldKind.DstV4,
            14 when uint8 => TemplateFieldKind.OutIf,
            16 when uint8 => TemplateFieldKind.SrcAs,
            17 when uint8 => TemplateFieldKind.DstAs,
            21 when length == 4 => TemplateFieldKind.LastUptime,
            22 when length == 4 => TemplateFieldKind.FirstUptime,
            27 when length == 16 => TemplateFieldKind.SrcV6,
            28 when length == 16 => TemplateFieldKind.DstV6,
            32 or 139 when uint8 => TemplateFieldKind.IcmpTypeCode,
            34 when uint8 => TemplateFieldKind.SamplingInterval,
            48 or 302 when uint8 => TemplateFieldKind.SamplerId,
            50 when uint8 => TemplateFieldKind.SamplerRandomInterval,
            58 or 243 when uint8 => TemplateFieldKind.Vlan,
            88 when uint8 => TemplateFieldKind.FragmentOffset,
            150 when length == 4 => TemplateFieldKind.StartSeconds,
            151 when length == 4 => TemplateFieldKind.EndSeconds,
            152 when length == 8 => TemplateFieldKind.StartMilliseconds,
            153 when length == 8 => TemplateFieldKind.EndMilliseconds,
            154 when length == 8 => TemplateFieldKind.StartMicroseconds,
            155 when length == 8 => TemplateFieldKind.EndMicroseconds,
            160 when length == 8 => TemplateFieldKind.SystemInitMilliseconds,
            176 or 178 when uint8 => TemplateFieldKind.IcmpType,
            177 or 179 when uint8 => TemplateFieldKind.IcmpCode,
            197 when length == 1 => TemplateFieldKind.FragmentFlags,
            305 when uint8 => TemplateFieldKind.PacketInterval,
            306 when uint8 => TemplateFieldKind.PacketSpace,
            309 when uint8 => TemplateFieldKind.SamplingSize,
            310 when uint8 => TemplateFieldKind.SamplingPopulation,
            _ => TemplateFieldKind.Skip,
        };
    }
}
