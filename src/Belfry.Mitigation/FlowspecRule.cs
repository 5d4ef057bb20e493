using System.Globalization;
using System.Text;
using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>TCP flag bits as in the TCP header and the RFC 8955 §4.2.2.9 bitmask.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}

/// <summary>Fragment bits of RFC 8955 §4.2.2.12 (type 12): DF, IsF, FF, LF.</summary>
[Flags]
public enum FragmentFlags : byte
{
    None = 0,
    DontFragment = 0x01,
    IsFragment = 0x02,
    FirstFragment = 0x04,
    LastFragment = 0x08,
}

/// <summary>Well-known IP protocol numbers used in Flowspec rules.</summary>
public static class IpProtocol
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Icmpv6 = 58;
}

/// <summary>
/// The Flowspec action: RFC 8955 §7.3 traffic-rate-bytes, where a rate of 0 means discard.
/// </summary>
public readonly record struct FlowspecAction
{
    FlowspecAction(float bytesPerSecond) => BytesPerSecond = bytesPerSecond;

    /// <summary>Maximum rate in bytes per second; 0 discards everything that matches.</summary>
    public float BytesPerSecond { get; }

    public bool IsDiscard => BytesPerSecond == 0;

    public static FlowspecAction Discard => default;

    public static FlowspecAction RateLimit(float bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        if (!float.IsFinite(bytesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), "The rate must be finite.");
        }
        return new FlowspecAction(bytesPerSecond);
    }

    public override string ToString() =>
        IsDiscard ? "discard" : string.Create(CultureInfo.InvariantCulture, $"rate-limit {BytesPerSecond} B/s");
}

/// <summary>
/// A Flowspec traffic filter (RFC 8955 §4.2 match components, §7 action). Only the components an
/// attack needs are modelled; every list means "any of these values" (OR of equality matches).
/// Identity is <see cref="Id"/>: the match, not the action, as in BGP, where a new action for the
/// same match replaces the route.
/// </summary>
public sealed record FlowspecRule
{
    public FlowspecRule(NetPrefix destination) => Destination = destination;

    /// <summary>Type 1, destination prefix. Always set: Belfry only filters traffic towards a target.</summary>
    public NetPrefix Destination { get; init; }

    /// <summary>Type 2, source prefix (same family as the destination).</summary>
    public NetPrefix? Source { get; init; }

    /// <summary>Type 3, IP protocol (IPv6: next header).</summary>
    public byte? Protocol { get; init; }

    /// <summary>Type 6, source ports.</summary>
    public IReadOnlyList<ushort> SourcePorts { get; init; } = [];

    /// <summary>Type 5, destination ports.</summary>
    public IReadOnlyList<ushort> DestinationPorts { get; init; } = [];

    /// <summary>Type 9, matches when any of these flags is set.</summary>
    public TcpFlags TcpFlags { get; init; }

    /// <summary>Type 12, matches when any of these fragment bits is set.</summary>
    public FragmentFlags Fragment { get; init; }

    public FlowspecAction Action { get; init; } = FlowspecAction.Discard;

    public bool IsV6 => !Destination.IsV4;

    /// <summary>The identity of the rule: the family and its match components in RFC 8955 type order.</summary>
    public MitigationId Id => new("flowspec " + (IsV6 ? "ipv6 " : "ipv4 ") + string.Join(' ', MatchText()));

    /// <summary>Checks the rule can be announced; returns the reason when it cannot.</summary>
    public bool TryValidate(out string error)
    {
        if (Source is { } s && s.IsV4 != Destination.IsV4)
        {
            error = $"Source {s} and destination {Destination} are of different IP families.";
            return false;
        }
        if ((SourcePorts.Count > 0 || DestinationPorts.Count > 0 || TcpFlags != TcpFlags.None)
            && Protocol is { } p && p != IpProtocol.Tcp && p != IpProtocol.Udp && p != 132)
        {
            error = $"Ports and TCP flags need protocol TCP, UDP or SCTP, not {p}.";
            return false;
        }
        if (TcpFlags != TcpFlags.None && Protocol is not IpProtocol.Tcp)
        {
            error = "TCP flags need protocol TCP.";
            return false;
        }
        if (SourcePorts.Count > MaxPortsPerComponent || DestinationPorts.Count > MaxPortsPerComponent)
        {
            error = $"At most {MaxPortsPerComponent} ports per component.";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>A cap that keeps one NLRI well under the 240-byte single-length-octet form.</summary>
    public const int MaxPortsPerComponent = 16;

    /// <summary>The match components as words: the `gobgp ... match` syntax, sorted by component type.</summary>
    internal IEnumerable<string> MatchText()
    {
        yield return "destination";
        yield return Destination.ToString();
        if (Source is { } source)
        {
            yield return "source";
            yield return source.ToString();
        }
        if (Protocol is { } protocol)
        {
            yield return "protocol";
            yield return ProtocolName(protocol);
        }
        if (DestinationPorts.Count > 0)
        {
            yield return "destination-port";
            foreach (var port in DestinationPorts.Distinct().Order())
            {
                yield return "==" + port.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (SourcePorts.Count > 0)
        {
            yield return "source-port";
            foreach (var port in SourcePorts.Distinct().Order())
            {
                yield return "==" + port.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (TcpFlags != TcpFlags.None)
        {
            yield return "tcp-flags";
            yield return TcpFlagLetters(TcpFlags);
        }
        if (Fragment != FragmentFlags.None)
        {
            yield return "fragment";
            yield return FragmentWords(Fragment);
        }
    }

    internal static string ProtocolName(byte protocol) => protocol switch
    {
        IpProtocol.Icmp => "icmp",
        IpProtocol.Tcp => "tcp",
        IpProtocol.Udp => "udp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    // gobgp's letters, in its order: F S R P A U E C (bit 0 to bit 7).
    internal static string TcpFlagLetters(TcpFlags flags)
    {
        const string letters = "FSRPAUEC";
        var sb = new StringBuilder(8);
        for (var bit = 0; bit < 8; bit++)
        {
            if (((int)flags & (1 << bit)) != 0)
            {
                sb.Append(letters[bit]);
            }
        }
        return sb.ToString();
    }

    internal static string FragmentWords(FragmentFlags flags)
    {
        var words = new List<string>(4);
        if (flags.HasFlag(FragmentFlags.DontFragment))
        {
            words.Add("dont-fragment");
        }
        if (flags.HasFlag(FragmentFlags.IsFragment))
        {
            words.Add("is-fragment");
        }
        if (flags.HasFlag(FragmentFlags.FirstFragment))
        {
            words.Add("first-fragment");
        }
        if (flags.HasFlag(FragmentFlags.LastFragment))
        {
            words.Add("last-fragment");
        }
        return string.Join('+', words);
    }

    public override string ToString() => string.Join(' ', MatchText()) + " then " + Action;

    /// <summary>
    /// The rule as the gobgp words after <c>match</c>, action included ("destination 198.51.100.0/24
    /// protocol udp source-port ==53 then discard", "... then rate-limit 125000"): what
    /// <see cref="RouteOwnership.Definition"/> keeps so the rule can be announced again after a restart.
    /// </summary>
    public string ToDefinition() => string.Join(' ', MatchText()) + " then " + (Action.IsDiscard
        ? "discard"
        : "rate-limit " + Action.BytesPerSecond.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>Reads <see cref="ToDefinition"/>'s form back; false for anything else.</summary>
    public static bool TryParseDefinition(string? text, out FlowspecRule rule)
    {
        rule = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 4 || words[0] != "destination" || !NetPrefix.TryParse(words[1], out var destination))
        {
            return false;
        }
        var r = new FlowspecRule(destination);
        var i = 2;
        for (; i < words.Length && words[i] != "then"; i++)
        {
            switch (words[i])
            {
                case "source" when i + 1 < words.Length && NetPrefix.TryParse(words[i + 1], out var source):
                    r = r with { Source = source };
                    i++;
                    break;
                case "protocol" when i + 1 < words.Length && TryParseProtocol(words[i + 1], out var protocol):
                    r = r with { Protocol = protocol };
                    i++;
                    break;
                case "source-port" or "destination-port":
                    var ports = new List<ushort>();
                    while (i + 1 < words.Length && words[i + 1].StartsWith("==", StringComparison.Ordinal)
                        && ushort.TryParse(words[i + 1].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    {
                        ports.Add(port);
                        i++;
                    }
                    if (ports.Count == 0)
                    {
                        return false;
                    }
                    r = words[i - ports.Count] == "source-port" ? r with { SourcePorts = ports } : r with { DestinationPorts = ports };
                    break;
                case "tcp-flags" when i + 1 < words.Length && TryParseTcpFlags(words[i + 1], out var flags):
                    r = r with { TcpFlags = flags };
                    i++;
                    break;
                case "fragment" when i + 1 < words.Length && TryParseFragment(words[i + 1], out var fragment):
                    r = r with { Fragment = fragment };
                    i++;
                    break;
                default:
                    return false;
            }
        }
        if (i + 1 >= words.Length)
        {
            return false;
        }
        if (words[i + 1] == "discard" && i + 2 == words.Length)
        {
            r = r with { Action = FlowspecAction.Discard };
        }
        else if (words[i + 1] == "rate-limit" && i + 3 == words.Length
            && float.TryParse(words[i + 2], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && float.IsFinite(rate) && rate > 0)
        {
            r = r with { Action = FlowspecAction.RateLimit(rate) };
        }
        else
        {
            return false;
        }
        if (!r.TryValidate(out _))
        {
            return false;
        }
        rule = r;
        return true;
    }

    static bool TryParseProtocol(string word, out byte protocol)
    {
        switch (word)
        {
            case "icmp":
                protocol = IpProtocol.Icmp;
                return true;
            case "tcp":
                protocol = IpProtocol.Tcp;
                return true;
            case "udp":
                protocol = IpProtocol.Udp;
                return true;
            default:
                return byte.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
        }
    }

    static bool TryParseTcpFlags(string word, out TcpFlags flags)
    {
        const string letters = "FSRPAUEC";
        flags = TcpFlags.None;
        foreach (var c in word)
        {
            var bit = letters.IndexOf(c, StringComparison.Ordinal);
            if (bit < 0)
            {
                return false;
            }
            flags |= (TcpFlags)(1 << bit);
        }
        return flags != TcpFlags.None;
    }

    static bool TryParseFragment(string word, out FragmentFlags flags)
    {
        flags = FragmentFlags.None;
        foreach (var part in word.Split('+'))
        {
            flags |= part switch
            {
                "dont-fragment" => FragmentFlags.DontFragment,
                "is-fragment" => FragmentFlags.IsFragment,
                "first-fragment" => FragmentFlags.FirstFragment,
                "last-fragment" => FragmentFlags.LastFragment,
                _ => FragmentFlags.None,
            };
            if (part is not ("dont-fragment" or "is-fragment" or "first-fragment" or "last-fragment"))
            {
                return false;
            }
        }
        return flags != FragmentFlags.None;
    }
}
