using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;

namespace Belfry.Enrichment;

/// <summary>Maps the networks a MaxMind DB reader enumerates onto <see cref="NetPrefix"/>.</summary>
static class MmdbNetworks
{
    /// <summary>
    /// An IPv6 database keeps IPv4 networks under ::/96 (the reader looks IPv4 up as ::a.b.c.d)
    /// and usually aliases ::ffff:0:0/96 to the same subtree; both become IPv4 prefixes here.
    /// </summary>
    public static bool TryToPrefix(IPAddress start, int length, out NetPrefix prefix)
    {
        prefix = default;
        var address = NetAddress.FromIPAddress(start);
        if (start.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (length >= 96 && (address.Value >> 32) == 0)
            {
                address = NetAddress.FromV4((uint)address.Value);
                length -= 96;
            }
            else if (address.IsV4)
            {
                if (length < 96)
                {
                    return false;
                }
                length -= 96;
            }
        }
        if (length < 0 || length > (address.IsV4 ? 32 : 128))
        {
            return false;
        }
        prefix = new NetPrefix(address, length);
        return true;
    }
}
