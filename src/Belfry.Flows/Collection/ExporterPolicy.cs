using Belfry.Core.Net;

namespace Belfry.Flows.Collection;

/// <summary>
/// An exporter the collector accepts flow telemetry from: an address or prefix, with an optional
/// sampling-rate bound of its own (for example its configured rate, so that a forged record claiming
/// more is not scaled up).
/// </summary>
/// <param name="Prefix">Exporter address (/32, /128) or prefix; matched against the datagram's UDP source.</param>
/// <param name="MaxSamplingRate">Largest believable 1-in-N rate from this exporter; 0 = the collector's <see cref="FlowCollectorOptions.MaxSamplingRate"/>.</param>
public sealed record FlowExporterRule(NetPrefix Prefix, uint MaxSamplingRate = 0)
{
    /// <summary>"192.0.2.1", "192.0.2.0/24" or "2001:db8::/32".</summary>
    public static FlowExporterRule Parse(string text, uint maxSamplingRate = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        return NetPrefix.TryParse(text, out var prefix)
            ? new FlowExporterRule(prefix, maxSamplingRate)
            : throw new FormatException($"'{text}' is not an IP address or prefix.");
    }
}

/// <summary>Which UDP sources are decoded, and the sampling bound of each (longest prefix wins).</summary>
internal sealed class ExporterPolicy
{
    /// <summary>What is allowed when no exporter list is configured: the local machine only (demo, tests, a collector fed by a local relay).</summary>
    public static readonly IReadOnlyList<FlowExporterRule> LoopbackOnly =
    [
        new(NetPrefix.Parse("127.0.0.0/8")),
        new(NetPrefix.Parse("::1/128")),
    ];

    readonly PrefixMap<uint> _rates;

    public ExporterPolicy(IReadOnlyList<FlowExporterRule>? rules, uint defaultMaxSamplingRate)
    {
        var list = rules ?? LoopbackOnly;
        _rates = PrefixMap<uint>.Build(list.Select(r => (r.Prefix, r.MaxSamplingRate == 0 ? defaultMaxSamplingRate : r.MaxSamplingRate)));
    }

    /// <summary>True when <paramref name="exporter"/> is allowed, with its sampling bound.</summary>
    public bool TryGet(NetAddress exporter, out uint maxSamplingRate) => _rates.TryLookup(exporter, out maxSamplingRate);
}
