using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>Fills source.geolocation.cc and destination.geolocation.cc from the address when missing.</summary>
public sealed class MmdbGeoExpert : IEventExpert, IExpertCounters
{
    readonly MmdbCountryLookup _lookup;

    public MmdbGeoExpert(MmdbCountryLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    public string Name => "geo";

    public long Processed { get; private set; }

    /// <summary>Events on which a country code was filled.</summary>
    public long Matched { get; private set; }

    public long Dropped => 0;

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            Processed++;
            var filled = Fill(e, Fields.SourceIp, Fields.SourceCc);
            filled |= Fill(e, Fields.DestinationIp, EnrichmentFields.DestinationCc);
            if (filled)
            {
                Matched++;
            }
        }
    }

    bool Fill(Event e, string ipField, string ccField)
    {
        if (!e.TryGet(ipField, out var ip) || ip.Kind != FieldKind.Address || e.Contains(ccField) || !_lookup.TryLookup(ip.Address, out var cc))
        {
            return false;
        }
        e.Set(ccField, cc);
        return true;
    }
}
