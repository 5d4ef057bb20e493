using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Detection;

/// <summary>A monitored network resolved for the hot path: group index and aggregation mask.</summary>
internal readonly struct NetworkInfo(MonitoredNetwork network, int group)
{
    public MonitoredNetwork Network { get; } = network;
    public int Group { get; } = group;
    public byte AggregateLength { get; } = (byte)network.EffectiveAggregateLength;
    public UInt128 AggregateMask { get; } = Mask(network.Prefix.IsV4, network.EffectiveAggregateLength);
    public PrefixKey NetworkKey { get; } = new(network.Prefix.Network, (byte)network.Prefix.Length);

    public PrefixKey AggregateOf(NetAddress host) => new(new NetAddress(host.Value & AggregateMask), AggregateLength);

    static UInt128 Mask(bool v4, int length)
    {
        var bits = v4 ? 96 + length : length;
        return bits == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - bits);
    }
}

/// <summary><see cref="DetectorOptions"/> compiled once: lookup tables for the write path.</summary>
internal sealed class DetectorConfig
{
    public DetectorConfig(DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHostsPerShard, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxOverflowPrefixesPerShard, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxDetailsPerShard);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConfirmSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HoldDownSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UpdateIntervalSeconds, 1);
        Options = options;
        Groups = options.Groups.Count == 0 ? [HostGroup.Default] : [.. options.Groups];
        var groupIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Groups.Length; i++)
        {
            if (!groupIndex.TryAdd(Groups[i].Name, i))
            {
                throw new ArgumentException($"Host group '{Groups[i].Name}' is defined twice.", nameof(options));
            }
        }
        PrefixThresholds = [.. Groups.Select(g => g.EffectivePrefixThresholds)];
        Networks = new NetworkInfo[options.Networks.Count];
        for (var i = 0; i < Networks.Length; i++)
        {
            var n = options.Networks[i];
            if (!groupIndex.TryGetValue(n.Group, out var g))
            {
                throw new ArgumentException($"Monitored network {n.Prefix} names unknown host group '{n.Group}'.", nameof(options));
            }
            Networks[i] = new NetworkInfo(n, g);
        }
        Monitored = new NetworkTable([.. options.Networks.Select(n => n.Prefix)]);
        Whitelist = options.WhitelistedSources.Count == 0 ? null : new NetworkTable(options.WhitelistedSources);
    }

    public DetectorOptions Options { get; }
    public HostGroup[] Groups { get; }
    public TrafficThresholds[] PrefixThresholds { get; }
    public NetworkInfo[] Networks { get; }
    public NetworkTable Monitored { get; }
    public NetworkTable? Whitelist { get; }
}
