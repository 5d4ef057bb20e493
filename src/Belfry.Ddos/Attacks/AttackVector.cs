using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Attacks;

/// <summary>How an attack hits its target. The amplification vectors follow the order of the amplification <see cref="TrafficClass"/>es.</summary>
public enum AttackVector : byte
{
    Unknown = 0,
    DnsAmplification,
    NtpAmplification,
    SsdpAmplification,
    MemcachedAmplification,
    CldapAmplification,
    ChargenAmplification,
    SnmpAmplification,
    RipAmplification,
    NetBiosAmplification,
    PortmapAmplification,
    WsDiscoveryAmplification,
    ArmsAmplification,
    MssqlAmplification,
    CoapAmplification,
    MdnsAmplification,
    UbiquitiAmplification,
    SynFlood,
    AckRstFlood,

    /// <summary>TCP that is neither SYN-only nor ACK/RST-only (e.g. PSH/ACK floods).</summary>
    TcpFlood,
    IcmpFlood,
    FragmentFlood,

    /// <summary>UDP from no known amplification port.</summary>
    UdpFlood,

    /// <summary>Other IP protocols (GRE, ESP, ...).</summary>
    IpFlood,

    /// <summary>Spread over many hosts of a prefix; always the main vector of a prefix attack.</summary>
    CarpetBombing,
}

/// <summary>Names and facts about <see cref="AttackVector"/> (identifiers, protocol and port for Flowspec).</summary>
public static class AttackVectors
{
    const int AmplificationCount = TrafficClasses.Count - (int)TrafficClasses.FirstAmplification;

    /// <summary>The snake_case identifier used in events (<c>classification.identifier</c>), JSON and the store.</summary>
    public static string Identifier(AttackVector v) => v switch
    {
        AttackVector.SynFlood => "syn_flood",
        AttackVector.AckRstFlood => "ack_rst_flood",
        AttackVector.TcpFlood => "tcp_flood",
        AttackVector.IcmpFlood => "icmp_flood",
        AttackVector.FragmentFlood => "fragment_flood",
        AttackVector.UdpFlood => "udp_flood",
        AttackVector.IpFlood => "ip_flood",
        AttackVector.CarpetBombing => "carpet_bombing",
        _ when IsAmplification(v) => TrafficClasses.Name(ClassOf(v)) + "_amplification",
        _ => "unknown",
    };

    public static bool TryParse(string identifier, out AttackVector vector)
    {
        for (var v = AttackVector.Unknown; v <= AttackVector.CarpetBombing; v++)
        {
            if (string.Equals(Identifier(v), identifier, StringComparison.OrdinalIgnoreCase))
            {
                vector = v;
                return true;
            }
        }
        vector = AttackVector.Unknown;
        return false;
    }

    public static bool IsAmplification(AttackVector v) => v is >= AttackVector.DnsAmplification and <= AttackVector.UbiquitiAmplification;

    /// <summary>IP protocol of the vector's packets (6, 17, 1), 0 when it has no single protocol.</summary>
    public static byte Protocol(AttackVector v) => v switch
    {
        AttackVector.SynFlood or AttackVector.AckRstFlood or AttackVector.TcpFlood => 6,
        AttackVector.UdpFlood => 17,
        AttackVector.IcmpFlood => 1,
        _ when IsAmplification(v) => 17,
        _ => 0,
    };

    /// <summary>UDP source port of an amplification vector, 0 otherwise.</summary>
    public static ushort SourcePort(AttackVector v) => IsAmplification(v) ? TrafficClasses.AmplificationPort(ClassOf(v)) : (ushort)0;

    internal static TrafficClass ClassOf(AttackVector amplification) =>
        (TrafficClass)((int)TrafficClasses.FirstAmplification + ((int)amplification - (int)AttackVector.DnsAmplification));

    internal static AttackVector OfAmplification(TrafficClass c) =>
        (AttackVector)((int)AttackVector.DnsAmplification + ((int)c - (int)TrafficClasses.FirstAmplification));

    /// <summary>
    /// Scores each vector by its share of the traffic, max(packet share, byte share), over per-class
    /// packets and bytes (indexed by <see cref="TrafficClass"/>).
    /// </summary>
    internal static void Score(ReadOnlySpan<double> packets, ReadOnlySpan<double> bytes, Span<double> scores)
    {
        scores.Clear();
        var tp = packets[0];
        var tb = bytes[0];
        if (tp <= 0 && tb <= 0)
        {
            return;
        }
        for (var i = 0; i < AmplificationCount; i++)
        {
            var c = (TrafficClass)((int)TrafficClasses.FirstAmplification + i);
            scores[(int)OfAmplification(c)] = Of(packets, bytes, c);
        }
        scores[(int)AttackVector.SynFlood] = Of(packets, bytes, TrafficClass.TcpSyn);
        scores[(int)AttackVector.AckRstFlood] = Of(packets, bytes, TrafficClass.TcpAckRst);
        scores[(int)AttackVector.TcpFlood] = Share(tp, tb,
            Math.Max(0, packets[(int)TrafficClass.Tcp] - packets[(int)TrafficClass.TcpSyn] - packets[(int)TrafficClass.TcpAckRst]),
            Math.Max(0, bytes[(int)TrafficClass.Tcp] - bytes[(int)TrafficClass.TcpSyn] - bytes[(int)TrafficClass.TcpAckRst]));
        scores[(int)AttackVector.IcmpFlood] = Of(packets, bytes, TrafficClass.Icmp);
        scores[(int)AttackVector.FragmentFlood] = Of(packets, bytes, TrafficClass.Fragment);
        scores[(int)AttackVector.UdpFlood] = Of(packets, bytes, TrafficClass.UdpOther);
        scores[(int)AttackVector.IpFlood] = Share(tp, tb,
            Math.Max(0, tp - packets[(int)TrafficClass.Tcp] - packets[(int)TrafficClass.Udp] - packets[(int)TrafficClass.Icmp]),
            Math.Max(0, tb - bytes[(int)TrafficClass.Tcp] - bytes[(int)TrafficClass.Udp] - bytes[(int)TrafficClass.Icmp]));

        static double Share(double tp, double tb, double p, double b) => Math.Max(tp > 0 ? p / tp : 0, tb > 0 ? b / tb : 0);
        static double Of(ReadOnlySpan<double> packets, ReadOnlySpan<double> bytes, TrafficClass c) =>
            Share(packets[0], bytes[0], packets[(int)c], bytes[(int)c]);
    }

    internal const int ScoreCount = (int)AttackVector.CarpetBombing + 1;

    /// <summary>Bit mask of the vectors scoring at least <paramref name="minShare"/>; the best one when none does.</summary>
    internal static ulong Mask(ReadOnlySpan<double> scores, double minShare)
    {
        ulong mask = 0;
        var best = 0;
        for (var v = 1; v < scores.Length; v++)
        {
            if (scores[v] >= minShare)
            {
                mask |= 1UL << v;
            }
            if (scores[v] > scores[best])
            {
                best = v;
            }
        }
        return mask != 0 || best == 0 ? mask : 1UL << best;
    }

    /// <summary>
    /// The vectors in <paramref name="mask"/>, main vector first: highest score first, except that a
    /// fragment flood comes after the other vectors (large amplified replies arrive fragmented).
    /// </summary>
    internal static AttackVector[] Order(ulong mask, ReadOnlySpan<double> scores, bool carpet)
    {
        var list = new List<AttackVector>();
        for (var v = 1; v < ScoreCount; v++)
        {
            if ((mask & (1UL << v)) != 0 && v != (int)AttackVector.CarpetBombing)
            {
                list.Add((AttackVector)v);
            }
        }
        var s = scores.ToArray();
        list.Sort((a, b) =>
        {
            var fa = a == AttackVector.FragmentFlood;
            var fb = b == AttackVector.FragmentFlood;
            return fa != fb ? fa.CompareTo(fb) : s[(int)b].CompareTo(s[(int)a]);
        });
        if (carpet)
        {
            list.Insert(0, AttackVector.CarpetBombing);
        }
        if (list.Count == 0)
        {
            list.Add(AttackVector.Unknown);
        }
        return [.. list];
    }
}
