using System.Globalization;
using Belfry.Core.Net;

namespace Belfry.Mitigation;

/// <summary>
/// How Belfry reaches its BGP speaker (a local gobgpd) and what its blackhole routes carry.
/// The BGP sessions to the routers are gobgpd's own configuration (see <see cref="GoBgp.GoBgpdConfig"/>).
/// </summary>
public sealed record BgpOptions
{
    /// <summary>The gobgp CLI (Debian package gobgpd).</summary>
    public string GoBgpPath { get; init; } = "gobgp";

    /// <summary>gobgpd's gRPC API: <c>host:port</c>, <c>[v6]:port</c> (gobgpd --api-hosts).</summary>
    public string Api { get; init; } = "127.0.0.1:50051";

    /// <summary>Belfry's AS, for the generated gobgpd configuration.</summary>
    public uint LocalAs { get; init; } = 64512;

    /// <summary>Belfry's BGP router id, for the generated gobgpd configuration.</summary>
    public string RouterId { get; init; } = "127.0.0.1";

    /// <summary>Next hop of IPv4 blackhole routes, which the routers map to discard (TEST-NET-1 by convention).</summary>
    public NetAddress NextHopV4 { get; init; } = NetAddress.Parse("192.0.2.1");

    /// <summary>Next hop of IPv6 blackhole routes (the RFC 6666 discard prefix).</summary>
    public NetAddress NextHopV6 { get; init; } = NetAddress.Parse("100::1");

    /// <summary>Communities added to blackhole routes besides BLACKHOLE 65535:666 (e.g. an upstream's own RTBH community).</summary>
    public IReadOnlyList<string> ExtraCommunities { get; init; } = [];

    /// <summary>Adds NO_EXPORT to blackhole routes, as RFC 7999 §3.2 recommends.</summary>
    public bool NoExport { get; init; } = true;

    /// <summary>Logs what would be announced and touches no router.</summary>
    public bool DryRun { get; init; }

    /// <summary>Time allowed for one gobgp command.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The communities of a blackhole route, BLACKHOLE first, without duplicates.</summary>
    public IReadOnlyList<BgpCommunity> BlackholeCommunities()
    {
        var list = new List<BgpCommunity> { BgpCommunity.Blackhole };
        if (NoExport)
        {
            list.Add(BgpCommunity.NoExport);
        }
        foreach (var text in ExtraCommunities)
        {
            var c = BgpCommunity.Parse(text);
            if (!list.Contains(c))
            {
                list.Add(c);
            }
        }
        return list;
    }

    public NetAddress NextHopFor(NetAddress target) => target.IsV4 ? NextHopV4 : NextHopV6;

    /// <summary>Splits <see cref="Api"/> into host and port.</summary>
    public bool TryGetApiEndpoint(out string host, out int port)
    {
        host = "";
        port = 0;
        var s = Api.AsSpan().Trim();
        var colon = s.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is 0 or > 65535)
        {
            return false;
        }
        var h = s[..colon];
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            h = h[1..^1];
        }
        if (h.IsEmpty || h.ContainsAny(' ', '\t', '\n'))
        {
            return false;
        }
        host = h.ToString();
        return true;
    }

    /// <summary>All problems of this configuration, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(GoBgpPath))
        {
            errors.Add("GoBgpPath is empty.");
        }
        if (!TryGetApiEndpoint(out _, out _))
        {
            errors.Add($"Api '{Api}' is not host:port.");
        }
        if (!NextHopV4.IsV4)
        {
            errors.Add($"NextHopV4 {NextHopV4} is not an IPv4 address.");
        }
        if (NextHopV6.IsV4)
        {
            errors.Add($"NextHopV6 {NextHopV6} is not an IPv6 address.");
        }
        if (LocalAs == 0)
        {
            errors.Add("LocalAs must not be 0.");
        }
        if (!NetAddress.TryParse(RouterId, out var rid) || !rid.IsV4)
        {
            errors.Add($"RouterId '{RouterId}' is not an IPv4 address.");
        }
        foreach (var c in ExtraCommunities)
        {
            // Strict parsing also keeps anything but a community out of the gobgp command line.
            if (!BgpCommunity.TryParse(c, out _))
            {
                errors.Add($"Community '{c}' is not asn:value or a well-known name.");
            }
        }
        if (CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add("CommandTimeout must be positive.");
        }
        return errors;
    }
}
