using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// Fills source.asn and destination.asn (and the AS name, when the lookup knows it and the
/// event has none) from the IP address, for events that carry an address but no AS number.
/// </summary>
public sealed class AsnLookupExpert : IEventExpert, IExpertCounters
{
    readonly IAsnLookup _lookup;

    public AsnLookupExpert(IAsnLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    public string Name => "asn-lookup";

    public long Processed { get; private set; }

    /// <summary>Events on which at least one AS number was filled.</summary>
    public long Matched { get; private set; }

    public long Dropped => 0;

    /// <summary>Addresses without an AS number that the lookup did not know.</summary>
    public long Missed { get; private set; }

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            Processed++;
            var filled = Fill(e, Fields.SourceIp, Fields.SourceAsn, Fields.SourceAsName);
            filled |= Fill(e, Fields.DestinationIp, Fields.DestinationAsn, EnrichmentFields.DestinationAsName);
            if (filled)
            {
                Matched++;
            }
        }
    }

    bool Fill(Event e, string ipField, string asnField, string nameField)
    {
        if (!e.TryGet(ipField, out var ip) || ip.Kind != FieldKind.Address || e.Contains(asnField))
        {
            return false;
        }
        if (!_lookup.TryLookup(ip.Address, out var info))
        {
            Missed++;
            return false;
        }
        e.Set(asnField, info.Asn);
        if (info.Name is not null && !e.Contains(nameField))
        {
            e.Set(nameField, info.Name);
        }
        return true;
    }
}
