using System.Text.Json;
using Belfry.Core.Net;

namespace Belfry.Mitigation.GoBgp;

/// <summary>One route of a gobgp RIB listing.</summary>
public sealed record GoBgpRoute
{
    /// <summary>gobgp's text of the NLRI: "198.51.100.7/32", "[destination: 198.51.100.0/24][protocol: ==udp]".</summary>
    public required string Key { get; init; }

    /// <summary>The prefix of a unicast route; the destination of a Flowspec route when it has one.</summary>
    public NetPrefix? Prefix { get; init; }

    public NetAddress? NextHop { get; init; }

    public IReadOnlyList<BgpCommunity> Communities { get; init; } = [];

    public bool IsFlowspec { get; init; }

    /// <summary>The Flowspec rule, or null when the route uses components or actions Belfry does not model.</summary>
    public FlowspecRule? Rule { get; init; }

    public bool IsBlackhole => !IsFlowspec && Communities.Contains(BgpCommunity.Blackhole);
}

/// <summary>A BGP peer of a gobgp <c>neighbor</c> listing.</summary>
public sealed record GoBgpNeighbor(string Address, uint PeerAs, int SessionState)
{
    /// <summary>gobgp API PeerState.SessionState: 1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established.</summary>
    public const int Established = 6;

    public bool IsEstablished => SessionState == Established;
}

/// <summary>
/// Reads the JSON that gobgp 3.x prints with <c>-j</c>: for <c>global rib</c>, an object from NLRI text
/// to the list of paths, each with its NLRI and path attributes (type 3 NEXT_HOP, 8 COMMUNITIES,
/// 14 MP_REACH_NLRI, 16 EXTENDED COMMUNITIES); for <c>neighbor</c>, an array of peers.
/// </summary>
public static class GoBgpRibParser
{
    const int AttrNextHop = 3;
    const int AttrCommunities = 8;
    const int AttrMpReach = 14;
    const int AttrExtendedCommunities = 16;

    // RFC 8955 §4.2.1.1 / §4.2.1.2 operator byte.
    const int OpAnd = 0x40;
    const int OpNumericMask = 0x07;   // lt gt eq
    const int OpEq = 0x01;
    const int OpBitmaskMask = 0x03;   // not match

    static readonly JsonDocumentOptions s_options = new() { MaxDepth = 32 };

    /// <summary>Parses a <c>gobgp -j global rib -a FAMILY</c> listing.</summary>
    /// <exception cref="MitigationException">The text is not such a listing.</exception>
    public static IReadOnlyList<GoBgpRoute> ParseRib(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        try
        {
            using var doc = JsonDocument.Parse(json, s_options);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Unexpected("a RIB listing is not a JSON object", json);
            }
            var routes = new List<GoBgpRoute>();
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Array || entry.Value.GetArrayLength() == 0)
                {
                    continue;
                }
                routes.Add(ParsePath(entry.Name, BestPath(entry.Value)));
            }
            return routes;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
        {
            throw new MitigationException($"gobgp printed an unexpected RIB listing: {Excerpt(json)}", e);
        }
    }

    /// <summary>Parses a <c>gobgp -j neighbor</c> listing.</summary>
    /// <exception cref="MitigationException">The text is not such a listing.</exception>
    public static IReadOnlyList<GoBgpNeighbor> ParseNeighbors(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        try
        {
            using var doc = JsonDocument.Parse(json, s_options);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Unexpected("a neighbor listing is not a JSON array", json);
            }
            var list = new List<GoBgpNeighbor>();
            foreach (var peer in doc.RootElement.EnumerateArray())
            {
                var conf = peer.GetProperty("conf");
                var address = conf.TryGetProperty("neighbor_address", out var a) ? a.GetString() ?? "" : "";
                var asn = conf.TryGetProperty("peer_asn", out var n) ? n.GetUInt32() : 0;
                var state = peer.TryGetProperty("state", out var s) && s.TryGetProperty("session_state", out var st) ? st.GetInt32() : 0;
                list.Add(new GoBgpNeighbor(address, asn, state));
            }
            return list;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new MitigationException($"gobgp printed an unexpected neighbor listing: {Excerpt(json)}", e);
        }
    }

    static JsonElement BestPath(JsonElement paths)
    {
        foreach (var p in paths.EnumerateArray())
        {
            if (p.TryGetProperty("best", out var best) && best.ValueKind == JsonValueKind.True)
            {
                return p;
            }
        }
        return paths[0];
    }

    static GoBgpRoute ParsePath(string key, JsonElement path)
    {
        NetAddress? nextHop = null;
        var communities = new List<BgpCommunity>();
        FlowspecAction? action = null;
        var unknownAction = false;
        if (path.TryGetProperty("attrs", out var attrs) && attrs.ValueKind == JsonValueKind.Array)
        {
            foreach (var attr in attrs.EnumerateArray())
            {
                var type = attr.TryGetProperty("type", out var t) ? t.GetInt32() : -1;
                switch (type)
                {
                    case AttrNextHop or AttrMpReach when attr.TryGetProperty("nexthop", out var nh):
                        if (NetAddress.TryParse(nh.GetString(), out var a) && a.Value != UInt128.Zero && !(a.IsV4 && a.V4 == 0))
                        {
                            nextHop = a;
                        }
                        break;
                    case AttrCommunities when attr.TryGetProperty("communities", out var cs):
                        foreach (var c in cs.EnumerateArray())
                        {
                            communities.Add(new BgpCommunity(c.GetUInt32()));
                        }
                        break;
                    case AttrExtendedCommunities when attr.TryGetProperty("value", out var ecs):
                        foreach (var ec in ecs.EnumerateArray())
                        {
                            // RFC 8955 §7.3 traffic-rate-bytes: type 0x80, sub-type 0x06.
                            if (IntProperty(ec, "type") == 0x80 && IntProperty(ec, "subtype") == 0x06 && ec.TryGetProperty("rate", out var rate))
                            {
                                var r = rate.GetSingle();
                                action = r <= 0 ? FlowspecAction.Discard : FlowspecAction.RateLimit(r);
                            }
                            else
                            {
                                unknownAction = true;
                            }
                        }
                        break;
                }
            }
        }

        var nlri = path.GetProperty("nlri");
        if (nlri.TryGetProperty("prefix", out var prefixText))
        {
            return new GoBgpRoute
            {
                Key = key,
                Prefix = NetPrefix.TryParse(prefixText.GetString(), out var p) ? p : null,
                NextHop = nextHop,
                Communities = communities,
            };
        }

        var rule = nlri.TryGetProperty("value", out var components) ? ParseFlowspec(components) : null;
        if (rule is not null && (unknownAction || action is null))
        {
            rule = null;
        }
        return new GoBgpRoute
        {
            Key = key,
            IsFlowspec = true,
            Prefix = rule?.Destination ?? (components.ValueKind == JsonValueKind.Array ? FirstDestination(components) : null),
            Communities = communities,
            Rule = rule is null ? null : rule with { Action = action!.Value },
        };
    }

    static NetPrefix? FirstDestination(JsonElement components)
    {
        foreach (var c in components.EnumerateArray())
        {
            if (IntProperty(c, "type") == 1 && c.TryGetProperty("value", out var v) && v.TryGetProperty("prefix", out var p)
                && NetPrefix.TryParse(p.GetString(), out var prefix))
            {
                return prefix;
            }
        }
        return null;
    }

    // RFC 8955 §4.2.2: the component types Belfry announces; anything else makes the route foreign.
    static FlowspecRule? ParseFlowspec(JsonElement components)
    {
        if (components.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        NetPrefix? destination = null, source = null;
        byte? protocol = null;
        List<ushort> sourcePorts = [], destinationPorts = [];
        var tcpFlags = TcpFlags.None;
        var fragment = FragmentFlags.None;
        foreach (var c in components.EnumerateArray())
        {
            var type = IntProperty(c, "type");
            if (!c.TryGetProperty("value", out var value))
            {
                return null;
            }
            switch (type)
            {
                case 1 or 2:
                    if (!value.TryGetProperty("prefix", out var p) || !NetPrefix.TryParse(p.GetString(), out var prefix)
                        || (c.TryGetProperty("offset", out var off) && off.GetInt32() != 0))
                    {
                        return null;
                    }
                    if (type == 1)
                    {
                        destination = prefix;
                    }
                    else
                    {
                        source = prefix;
                    }
                    break;
                case 3:
                    if (!TryEqualValues(value, out var protocols) || protocols.Count != 1 || protocols[0] > 255)
                    {
                        return null;
                    }
                    protocol = (byte)protocols[0];
                    break;
                case 5 or 6:
                    if (!TryEqualValues(value, out var ports) || ports.Any(v => v > ushort.MaxValue))
                    {
                        return null;
                    }
                    (type == 5 ? destinationPorts : sourcePorts).AddRange(ports.Select(v => (ushort)v));
                    break;
                case 9 or 12:
                    if (!TryAnyBits(value, out var bits))
                    {
                        return null;
                    }
                    if (type == 9)
                    {
                        tcpFlags = (TcpFlags)bits;
                    }
                    else
                    {
                        fragment = (FragmentFlags)bits;
                    }
                    break;
                default:
                    return null;
            }
        }
        if (destination is not { } d)
        {
            return null;
        }
        return new FlowspecRule(d)
        {
            Source = source,
            Protocol = protocol,
            SourcePorts = sourcePorts,
            DestinationPorts = destinationPorts,
            TcpFlags = tcpFlags,
            Fragment = fragment,
        };
    }

    // A list of "== value" terms joined by OR: the only numeric form Belfry announces.
    static bool TryEqualValues(JsonElement items, out List<ulong> values)
    {
        values = [];
        if (items.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (var item in items.EnumerateArray())
        {
            var op = IntProperty(item, "op");
            if ((op & OpAnd) != 0 || (op & OpNumericMask) != OpEq || !item.TryGetProperty("value", out var v))
            {
                return false;
            }
            values.Add(v.GetUInt64());
        }
        return values.Count > 0;
    }

    // One bitmask term without "not" or "match": true when any of the bits is set.
    static bool TryAnyBits(JsonElement items, out byte bits)
    {
        bits = 0;
        if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() != 1)
        {
            return false;
        }
        var item = items[0];
        if ((IntProperty(item, "op") & OpBitmaskMask) != 0 || !item.TryGetProperty("value", out var v) || v.GetUInt64() is 0 or > 255)
        {
            return false;
        }
        bits = (byte)v.GetUInt64();
        return true;
    }

    static int IntProperty(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : -1;

    static MitigationException Unexpected(string what, string text) => new($"gobgp printed unexpected output, {what}: {Excerpt(text)}");

    static string Excerpt(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "...";
}
