using Belfry.Core.Net;

namespace Belfry.Ddos.Counters;

/// <summary>A network address and prefix length: the key of per-prefix aggregates.</summary>
public readonly record struct PrefixKey(NetAddress Network, byte Length)
{
    public NetPrefix ToPrefix() => new(Network, Length);

    public override string ToString() => ToPrefix().ToString();
}
