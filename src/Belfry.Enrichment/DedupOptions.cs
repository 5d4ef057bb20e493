using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>Settings of <see cref="DeduplicatorExpert"/>.</summary>
public sealed record DedupOptions
{
    /// <summary>
    /// The fields IntelMQ's deduplicator setups commonly compare, plus what identifies the subject of
    /// list feeds: networks (DROP, DShield) and AS numbers (ASN-DROP) — without them every entry
    /// of such a list would look like the first one.
    /// </summary>
    public static IReadOnlyList<string> DefaultKeyFields { get; } =
    [
        Fields.FeedName,
        Fields.ClassificationType,
        Fields.ClassificationIdentifier,
        Fields.SourceIp,
        Fields.SourcePort,
        Fields.DestinationIp,
        Fields.DestinationPort,
        Fields.SourceUrl,
        Fields.SourceFqdn,
        Fields.SourceNetwork,
        Fields.DestinationNetwork,
        Fields.SourceAsn,
        Fields.MalwareName,
    ];

    /// <summary>An event is a duplicate when one with the same key was kept less than this long before (or after) it.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    public IReadOnlyList<string> KeyFields { get; init; } = DefaultKeyFields;

    /// <summary>Most keys remembered; past it the oldest are forgotten. At most 2^29; memory is allocated for the bound up front (24 bytes per key in the ring, 16 in the table).</summary>
    public int MaxEntries { get; init; } = 1_000_000;
}
