namespace Belfry.Ddos.Counters;

/// <summary>
/// What a host's traffic is split into. <see cref="Total"/> counts everything; the others are
/// subsets: <see cref="TcpSyn"/> and <see cref="TcpAckRst"/> of <see cref="Tcp"/>; the
/// amplification classes (<see cref="Dns"/> onwards: UDP <em>from</em> that well-known source port)
/// and <see cref="UdpOther"/> of <see cref="Udp"/>; <see cref="Fragment"/> cuts across protocols.
/// </summary>
public enum TrafficClass : byte
{
    Total = 0,
    Tcp,

    /// <summary>TCP with SYN and without ACK.</summary>
    TcpSyn,

    /// <summary>TCP whose flags are only ACK and/or RST (no SYN, FIN, PSH or URG).</summary>
    TcpAckRst,
    Udp,

    /// <summary>UDP from no amplification port, not a fragment: the generic UDP flood class.</summary>
    UdpOther,

    /// <summary>ICMP and ICMPv6.</summary>
    Icmp,

    /// <summary>IP fragments of any protocol.</summary>
    Fragment,
    Dns,
    Ntp,
    Ssdp,
    Memcached,
    Cldap,
    Chargen,
    Snmp,
    Rip,
    NetBios,
    Portmap,
    WsDiscovery,
    Arms,
    Mssql,
    Coap,
    Mdns,
    Ubiquiti,
}

/// <summary>Facts about <see cref="TrafficClass"/>: the amplification port table and names.</summary>
public static class TrafficClasses
{
    /// <summary>Number of classes; the size of every per-class array.</summary>
    public const int Count = (int)TrafficClass.Ubiquiti + 1;

    public const TrafficClass FirstAmplification = TrafficClass.Dns;

    static readonly ushort[] s_ports =
    [
        53,    // DNS
        123,   // NTP monlist
        1900,  // SSDP
        11211, // memcached
        389,   // CLDAP
        19,    // CharGen
        161,   // SNMP
        520,   // RIPv1
        137,   // NetBIOS name service
        111,   // Portmap / rpcbind
        3702,  // WS-Discovery
        3283,  // Apple Remote Management (ARMS)
        1434,  // MS SQL resolution service
        5683,  // CoAP
        5353,  // mDNS
        10001, // Ubiquiti discovery
    ];

    static readonly string[] s_names =
    [
        "total", "tcp", "tcp_syn", "tcp_ack_rst", "udp", "udp_other", "icmp", "fragment",
        "dns", "ntp", "ssdp", "memcached", "cldap", "chargen", "snmp", "rip", "netbios", "portmap",
        "ws_discovery", "arms", "mssql", "coap", "mdns", "ubiquiti",
    ];

    // One byte per UDP source port: the amplification class, or 0. 64 KiB, stays in L2.
    static readonly byte[] s_classByPort = BuildPortTable();

    static byte[] BuildPortTable()
    {
        var t = new byte[65536];
        for (var i = 0; i < s_ports.Length; i++)
        {
            t[s_ports[i]] = (byte)((int)FirstAmplification + i);
        }
        return t;
    }

    /// <summary>The amplification class of UDP traffic from <paramref name="sourcePort"/>, or <see cref="TrafficClass.Total"/> for none.</summary>
    public static TrafficClass ForUdpSourcePort(ushort sourcePort) => (TrafficClass)s_classByPort[sourcePort];

    public static bool IsAmplification(TrafficClass c) => c >= FirstAmplification;

    /// <summary>The well-known source port of an amplification class, 0 for other classes.</summary>
    public static ushort AmplificationPort(TrafficClass c) => IsAmplification(c) ? s_ports[c - FirstAmplification] : (ushort)0;

    /// <summary>snake_case name used in JSON and metric names.</summary>
    public static string Name(TrafficClass c) => s_names[(int)c];
}
