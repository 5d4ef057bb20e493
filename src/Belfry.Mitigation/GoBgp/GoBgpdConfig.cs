using System.Globalization;
using System.Text;

namespace Belfry.Mitigation.GoBgp;

/// <summary>A BGP peer of Belfry's gobgpd: a router that takes its blackhole and Flowspec routes.</summary>
public sealed record GoBgpPeer(string Address, uint PeerAs)
{
    /// <summary>The peer's BGP port when it is not 179 (two daemons on one host).</summary>
    public int? RemotePort { get; init; }

    /// <summary>Wait for the peer to connect instead of connecting to it.</summary>
    public bool Passive { get; init; }

    /// <summary>Source address of the session.</summary>
    public string? LocalAddress { get; init; }

    /// <summary>Seconds between connection attempts (gobgpd's default is 120).</summary>
    public int? ConnectRetrySeconds { get; init; }

    /// <summary>The address families of the session (gobgpd afi-safi names).</summary>
    public IReadOnlyList<string> Families { get; init; } = GoBgpdConfig.MitigationFamilies;
}

/// <summary>
/// Writes a gobgpd configuration file (TOML, gobgpd's default format; see GoBGP's
/// docs/configuration.md) for Belfry's BGP speaker: the global section and one neighbor per router.
/// </summary>
public static class GoBgpdConfig
{
    /// <summary>The families a mitigation session needs: unicast for blackholes, Flowspec for filters.</summary>
    public static IReadOnlyList<string> MitigationFamilies { get; } = ["ipv4-unicast", "ipv6-unicast", "ipv4-flowspec", "ipv6-flowspec"];

    /// <param name="asn">The local AS.</param>
    /// <param name="routerId">The BGP identifier (an IPv4 address).</param>
    /// <param name="listenPort">The BGP port gobgpd listens on; -1 to not listen.</param>
    /// <param name="listenAddresses">Addresses to listen on; all when empty.</param>
    /// <param name="peers">The routers.</param>
    public static string ToToml(uint asn, string routerId, int listenPort, IReadOnlyList<string> listenAddresses, IReadOnlyList<GoBgpPeer> peers)
    {
        ArgumentNullException.ThrowIfNull(routerId);
        ArgumentNullException.ThrowIfNull(listenAddresses);
        ArgumentNullException.ThrowIfNull(peers);
        var sb = new StringBuilder();
        sb.Append("[global.config]\n");
        sb.Append(CultureInfo.InvariantCulture, $"  as = {asn}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  router-id = {Quote(routerId)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  port = {listenPort}\n");
        if (listenAddresses.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  local-address-list = [{string.Join(", ", listenAddresses.Select(Quote))}]\n");
        }
        foreach (var peer in peers)
        {
            sb.Append("\n[[neighbors]]\n");
            sb.Append("  [neighbors.config]\n");
            sb.Append(CultureInfo.InvariantCulture, $"    neighbor-address = {Quote(peer.Address)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    peer-as = {peer.PeerAs}\n");
            if (peer.RemotePort is not null || peer.Passive || peer.LocalAddress is not null)
            {
                sb.Append("  [neighbors.transport.config]\n");
                if (peer.RemotePort is { } port)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    remote-port = {port}\n");
                }
                if (peer.Passive)
                {
                    sb.Append("    passive-mode = true\n");
                }
                if (peer.LocalAddress is { } local)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    local-address = {Quote(local)}\n");
                }
            }
            if (peer.ConnectRetrySeconds is { } retry)
            {
                sb.Append("  [neighbors.timers.config]\n");
                sb.Append(CultureInfo.InvariantCulture, $"    connect-retry = {retry}\n");
            }
            foreach (var family in peer.Families)
            {
                sb.Append("  [[neighbors.afi-safis]]\n");
                sb.Append("    [neighbors.afi-safis.config]\n");
                sb.Append(CultureInfo.InvariantCulture, $"      afi-safi-name = {Quote(family)}\n");
            }
        }
        return sb.ToString();
    }

    // TOML basic string.
    static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                < ' ' => sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => sb.Append(c),
            };
        }
        return sb.Append('"').ToString();
    }
}
