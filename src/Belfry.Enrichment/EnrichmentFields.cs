using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// IntelMQ field names the experts write that <see cref="Fields"/> has no constant for. String
/// literals are interned, so these compare by reference with the same names elsewhere.
/// </summary>
public static class EnrichmentFields
{
    public const string DestinationAsName = "destination.as_name";
    public const string DestinationCc = "destination.geolocation.cc";
}
