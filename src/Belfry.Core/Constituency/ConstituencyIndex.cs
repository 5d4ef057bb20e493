using Belfry.Core.Net;

namespace Belfry.Core.Constituency;

/// <summary>
/// Read-only lookup from what an event names (an IP, an AS number, a host name) to the
/// organisation that owns it. Built once from the registry; safe to share between threads.
/// </summary>
public sealed class ConstituencyIndex
{
    readonly PrefixMap<Organisation> _prefixes;
    readonly Dictionary<long, Organisation> _asns;
    readonly Dictionary<string, Organisation> _domains;
    readonly Dictionary<string, Organisation> _byId;

    public ConstituencyIndex(IEnumerable<Organisation> organisations)
    {
        var list = organisations.ToList();
        _byId = new(StringComparer.Ordinal);
        _asns = [];
        _domains = new(StringComparer.OrdinalIgnoreCase);
        foreach (var o in list)
        {
            _byId[o.Id] = o;
            foreach (var a in o.Asns)
            {
                _asns[a] = o;
            }
            foreach (var d in o.Domains)
            {
                _domains[NormalizeDomain(d)] = o;
            }
        }
        _prefixes = PrefixMap<Organisation>.Build(list.SelectMany(o => o.Prefixes.Select(p => (p, o))));
    }

    public static ConstituencyIndex Empty { get; } = new([]);

    public IReadOnlyCollection<Organisation> Organisations => _byId.Values;

    // TryGetValue on the dictionaries themselves: GetValueOrDefault goes through IReadOnlyDictionary,
    // an interface call per event on the enrichment path.
    public Organisation? ById(string id) => _byId.TryGetValue(id, out var o) ? o : null;

    /// <summary>The organisation of the most specific registered prefix containing the address.</summary>
    public Organisation? ByAddress(NetAddress address) => _prefixes.TryLookup(address, out var o) ? o : null;

    public Organisation? ByAsn(long asn) => _asns.TryGetValue(asn, out var o) ? o : null;

    /// <summary>The organisation of the domain or of its nearest registered parent domain.</summary>
    public Organisation? ByHostName(ReadOnlySpan<char> host)
    {
        host = host.Trim().TrimEnd('.');
        if (_domains.Count == 0 || host.IsEmpty)
        {
            return null;
        }
        var lookup = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        while (true)
        {
            if (lookup.TryGetValue(host, out var o))
            {
                return o;
            }
            var dot = host.IndexOf('.');
            if (dot < 0)
            {
                return null;
            }
            host = host[(dot + 1)..];
        }
    }

    public static string NormalizeDomain(string d) => d.Trim().TrimEnd('.').ToLowerInvariant();
}
