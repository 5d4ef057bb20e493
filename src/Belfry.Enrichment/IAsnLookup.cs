using Belfry.Core.Net;

namespace Belfry.Enrichment;

/// <summary>The origin AS of a network and, when the source knows it, the AS name.</summary>
public readonly record struct AsnInfo(long Asn, string? Name = null);

/// <summary>IP address to origin AS. Implementations are read-only after load and thread-safe.</summary>
public interface IAsnLookup
{
    bool TryLookup(NetAddress address, out AsnInfo info);
}
