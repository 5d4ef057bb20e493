using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>
/// Maps attack vectors, as the detector names them, to Flowspec match components: an
/// amplification vector matches UDP from the reflector's service port, floods their protocol.
/// </summary>
public static class FlowspecVectors
{
    /// <summary>Amplification vectors and the UDP source port their reflected traffic comes from.</summary>
    public static IReadOnlyDictionary<string, ushort> AmplificationPorts { get; } = new Dictionary<string, ushort>(StringComparer.Ordinal)
    {
        ["chargen"] = 19,
        ["dns"] = 53,
        ["ntp"] = 123,
        ["snmp"] = 161,
        ["cldap"] = 389,
        ["ssdp"] = 1900,
        ["memcached"] = 11211,
        // The detector's further amplification classes (Belfry.Ddos TrafficClasses).
        ["rip"] = 520,
        ["netbios"] = 137,
        ["portmap"] = 111,
        ["ws_discovery"] = 3702,
        ["arms"] = 3283,
        ["mssql"] = 1434,
        ["coap"] = 5683,
        ["mdns"] = 5353,
        ["ubiquiti"] = 10001,
    };

    /// <summary>
    /// The canonical vector name: lower case, with the "_amplification" / "_flood" style suffixes
    /// dropped ("DNS_amplification" and "dns-amplification" are "dns"; "syn_flood" is "syn";
    /// "generic_udp" and "udp_flood" are "udp").
    /// </summary>
    public static string Normalize(string vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var v = vector.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        foreach (var suffix in (ReadOnlySpan<string>)["_amplification", "_amp", "_reflection", "_flood"])
        {
            if (v.EndsWith(suffix, StringComparison.Ordinal) && v.Length > suffix.Length)
            {
                v = v[..^suffix.Length];
                break;
            }
        }
        return v switch
        {
            "generic_udp" or "udp_generic" => "udp",
            "tcp_syn" => "syn",
            "fragments" or "fragmented" or "ip_fragment" => "fragment",
            "icmpv6" or "icmp6" => "icmp",
            _ => v,
        };
    }

    /// <summary>
    /// The Flowspec rule that filters <paramref name="vector"/> towards <paramref name="destination"/>,
    /// or false for a vector that no safe rule describes (ACK floods, carpet bombing as such, ...).
    /// </summary>
    public static bool TryGetRule(string vector, NetPrefix destination, FlowspecAction action, out FlowspecRule rule)
    {
        var v = Normalize(vector);
        var r = new FlowspecRule(destination) { Action = action };
        if (AmplificationPorts.TryGetValue(v, out var port))
        {
            rule = r with { Protocol = IpProtocol.Udp, SourcePorts = [port] };
            return true;
        }
        FlowspecRule? mapped = v switch
        {
            "syn" => r with { Protocol = IpProtocol.Tcp, TcpFlags = TcpFlags.Syn },
            "icmp" => r with { Protocol = destination.IsV4 ? IpProtocol.Icmp : IpProtocol.Icmpv6 },
            "fragment" => r with { Fragment = FragmentFlags.IsFragment },
            "udp" => r with { Protocol = IpProtocol.Udp },
            _ => null,
        };
        rule = mapped ?? r;
        return mapped is not null;
    }
}
