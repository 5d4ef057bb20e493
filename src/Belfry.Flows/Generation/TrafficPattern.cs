using System.Globalization;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>
/// A stream of (attack or test) packets for <see cref="FlowTrafficGenerator"/>: who is hit, from how
/// many sources, with what. The generator exports one flow record (NetFlow v9/IPFIX) or flow sample
/// (sFlow) per sampled packet, so the pattern gives <see cref="RecordsPerSecond"/> records per second,
/// each of one packet of <see cref="PacketSize"/> bytes and the pattern's sampling rate: the decoded,
/// sampling-corrected packet rate is <see cref="PacketsPerSecond"/>.
/// </summary>
public sealed record TrafficPattern
{
    /// <summary>Optional label, echoed in the generator's result.</summary>
    public string? Name { get; init; }

    /// <summary>Target: a host (/32, /128) or a prefix whose hosts are all hit (carpet bombing).</summary>
    public required NetPrefix Destination { get; init; }

    /// <summary>Where sources come from; null: 100.64.0.0/10 for IPv4 targets, 2001:db8:5000::/48 for IPv6.</summary>
    public NetPrefix? Sources { get; init; }

    /// <summary>Distinct source addresses, cycled through (at most the size of <see cref="Sources"/>).</summary>
    public int SourceCount { get; init; } = 1000;

    /// <summary>IP protocol: 6 TCP, 17 UDP, 1 ICMP ...</summary>
    public byte Protocol { get; init; } = 17;

    /// <summary>Source port; 0: a random ephemeral port per record.</summary>
    public ushort SourcePort { get; init; }

    /// <summary>Destination port; 0: a random port per record.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>TCP flags of every packet (0x02 SYN for a SYN flood).</summary>
    public byte TcpFlags { get; init; }

    /// <summary>Packets per second on the wire, before sampling.</summary>
    public double PacketsPerSecond { get; init; }

    /// <summary>IP packet size in bytes.</summary>
    public int PacketSize { get; init; } = 512;

    /// <summary>1 in N packets is exported.</summary>
    public uint SamplingRate { get; init; } = 1;

    /// <summary>Exported records per second: <see cref="PacketsPerSecond"/> / <see cref="SamplingRate"/>.</summary>
    public double RecordsPerSecond => PacketsPerSecond / Math.Max(1u, SamplingRate);

    /// <summary>
    /// Parses <c>dst=PREFIX[,src=PREFIX][,sources=N][,proto=udp|tcp|icmp|N][,sport=N][,dport=N][,flags=S|A|R|F|P|U...|0xNN][,pps=N][,size=N][,sampling=N][,name=TEXT]</c>.
    /// </summary>
    public static bool TryParse(string text, out TrafficPattern? pattern, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        pattern = null;
        error = null;
        NetPrefix? dst = null;
        NetPrefix? src = null;
        var p = new TrafficPattern { Destination = default };
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = $"'{part}' is not key=value";
                return false;
            }
            var key = part[..eq].ToLowerInvariant();
            var value = part[(eq + 1)..];
            var ok = true;
            switch (key)
            {
                case "dst":
                    ok = TryPrefix(value, out var d);
                    dst = d;
                    break;
                case "src":
                    ok = TryPrefix(value, out var s);
                    src = s;
                    break;
                case "sources":
                    ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0;
                    p = p with { SourceCount = n };
                    break;
                case "proto":
                    ok = TryProtocol(value, out var proto);
                    p = p with { Protocol = proto };
                    break;
                case "sport":
                    ok = ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var sport);
                    p = p with { SourcePort = sport };
                    break;
                case "dport":
                    ok = ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var dport);
                    p = p with { DestinationPort = dport };
                    break;
                case "flags":
                    ok = TryFlags(value, out var flags);
                    p = p with { TcpFlags = flags };
                    break;
                case "pps":
                    ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var pps) && pps >= 0;
                    p = p with { PacketsPerSecond = pps };
                    break;
                case "size":
                    ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 20 and <= 65535;
                    p = p with { PacketSize = size };
                    break;
                case "sampling":
                    ok = uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rate) && rate > 0;
                    p = p with { SamplingRate = rate };
                    break;
                case "name":
                    p = p with { Name = value };
                    break;
                default:
                    error = $"unknown pattern key '{key}'";
                    return false;
            }
            if (!ok)
            {
                error = $"bad value for {key}: '{value}'";
                return false;
            }
        }
        if (dst is not { } destination)
        {
            error = "a pattern needs dst=PREFIX";
            return false;
        }
        if (src is { } source && source.IsV4 != destination.IsV4)
        {
            error = "src and dst must be of one address family";
            return false;
        }
        pattern = p with { Destination = destination, Sources = src };
        return true;
    }

    static bool TryPrefix(string value, out NetPrefix prefix)
    {
        if (NetPrefix.TryParse(value, out prefix))
        {
            return true;
        }
        if (NetAddress.TryParse(value, out var a))
        {
            prefix = new NetPrefix(a, a.IsV4 ? 32 : 128);
            return true;
        }
        return false;
    }

    static bool TryProtocol(string value, out byte protocol)
    {
        protocol = value.ToLowerInvariant() switch
        {
            "tcp" => 6,
            "udp" => 17,
            "icmp" => 1,
            "icmpv6" => 58,
            "gre" => 47,
            _ => 0,
        };
        return protocol != 0 || byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
    }

    static bool TryFlags(string value, out byte flags)
    {
        flags = 0;
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return byte.TryParse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out flags);
        }
        foreach (var c in value.ToUpperInvariant())
        {
            flags |= c switch
            {
                'F' => 0x01,
                'S' => 0x02,
                'R' => 0x04,
                'P' => 0x08,
                'A' => 0x10,
                'U' => 0x20,
                _ => 0,
            };
            if ("FSRPAU".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }
        return true;
    }
}
