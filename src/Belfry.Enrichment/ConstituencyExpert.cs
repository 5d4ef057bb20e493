using Belfry.Core.Constituency;
using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>Which side of an event names the organisation it is about.</summary>
public sealed record ConstituencyExpertOptions
{
    /// <summary>Use destination.* for every event (a feed whose subject is the attacked host).</summary>
    public bool UseDestination { get; init; }

    /// <summary>Feed names (feed.name) whose subject is the destination; the others use source.*.</summary>
    public IReadOnlySet<string> DestinationFeeds { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// Finds the constituency organisation an event is about and sets <see cref="Event.Organisation"/>
/// and <see cref="Fields.ExtraOrganisation"/> to its id. It tries, in order: the IP address (most
/// specific registered prefix), the AS number, then the host name (fqdn, else the host of the
/// URL) and its parent domains. Events without a match get no organisation, whatever their input
/// said (an organisation is never taken from a feed): they still count for the national picture.
/// </summary>
public sealed class ConstituencyExpert : IEventExpert, IExpertCounters
{
    readonly ConstituencyIndex _index;
    readonly bool _useDestination;
    readonly IReadOnlySet<string> _destinationFeeds;
    readonly bool _anyDestinationFeeds;

    // ip, asn, fqdn, url of the source then the destination; feed.name; extra.organisation.
    readonly FieldPositions _positions = new(
        Fields.SourceIp, Fields.SourceAsn, Fields.SourceFqdn, Fields.SourceUrl,
        Fields.DestinationIp, Fields.DestinationAsn, Fields.DestinationFqdn, Fields.DestinationUrl,
        Fields.FeedName, Fields.ExtraOrganisation);
    readonly int[] _scratch = new int[10];

    public ConstituencyExpert(ConstituencyIndex index, ConstituencyExpertOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        options ??= new ConstituencyExpertOptions();
        _useDestination = options.UseDestination;
        _destinationFeeds = options.DestinationFeeds;
        _anyDestinationFeeds = _destinationFeeds.Count > 0;
    }

    public string Name => "constituency";

    public long Processed { get; private set; }
    public long Matched => MatchedByAddress + MatchedByAsn + MatchedByHostName;
    public long Dropped => 0;
    public long MatchedByAddress { get; private set; }
    public long MatchedByAsn { get; private set; }
    public long MatchedByHostName { get; private set; }

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var processed = 0L;
        foreach (var e in batch)
        {
            processed++;
            var positions = _positions.Of(e, _scratch);
            var org = Find(e, positions);
            if (org is not null)
            {
                e.Organisation = org.Id;
                var at = positions[9];
                if (at >= 0)
                {
                    e.Set(Fields.ExtraOrganisation, org.Id);
                }
                else
                {
                    e.Append(Fields.ExtraOrganisation, FieldValue.Of(org.Id));
                }
            }
            else if (e.Organisation is not null || positions[9] >= 0)
            {
                // The constituency alone decides the organisation: one named by the input (a field
                // mapped to extra.organisation, an IntelMQ export from elsewhere) is not kept.
                e.Organisation = null;
                e.Remove(Fields.ExtraOrganisation);
            }
        }
        Processed += processed;
    }

    /// <summary>The organisation the event is about, or null; updates the match counters.</summary>
    public Organisation? Find(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Find(e, _positions.Of(e, _scratch));
    }

    Organisation? Find(Event e, ReadOnlySpan<int> positions)
    {
        var destination = _useDestination ||
            (_anyDestinationFeeds && At(e, positions[8]).Text is { } name && _destinationFeeds.Contains(name));
        var side = destination ? positions[4..8] : positions[..4];

        if (At(e, side[0]) is { Kind: FieldKind.Address } ip && _index.ByAddress(ip.Address) is { } byIp)
        {
            MatchedByAddress++;
            return byIp;
        }
        if (TryGetAsn(At(e, side[1]), out var asn) && _index.ByAsn(asn) is { } byAsn)
        {
            MatchedByAsn++;
            return byAsn;
        }
        if (At(e, side[2]).Text is { } host && _index.ByHostName(host) is { } byHost)
        {
            MatchedByHostName++;
            return byHost;
        }
        if (At(e, side[3]).Text is { } urlText && HostNames.TryGetUrlHost(urlText, out var urlHost))
        {
            var isLiteral = HostNames.TryGetAddress(urlHost, out var literal);
            var byUrl = isLiteral ? _index.ByAddress(literal) : _index.ByHostName(urlHost);
            if (byUrl is not null)
            {
                if (isLiteral)
                {
                    MatchedByAddress++;
                }
                else
                {
                    MatchedByHostName++;
                }
                return byUrl;
            }
        }
        return null;
    }

    static FieldValue At(Event e, int position) => position >= 0 ? e.ValueAt(position) : default;

    static bool TryGetAsn(FieldValue v, out long asn)
    {
        asn = 0;
        if (v.Kind == FieldKind.Integer)
        {
            asn = v.Integer;
            return true;
        }
        return v.Text is { } text && FieldParsers.TryParseAsn(text, out asn);
    }
}
