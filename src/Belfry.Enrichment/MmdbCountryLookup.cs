using Belfry.Core.Net;
using MaxMind.Db;

namespace Belfry.Enrichment;

/// <summary>
/// IP-to-country from a GeoLite2-Country / DB-IP country (or city) MaxMind DB, read once into a
/// <see cref="PrefixMap{T}"/> of ISO 3166-1 codes, so a lookup does not allocate.
/// </summary>
public sealed class MmdbCountryLookup
{
    readonly PrefixMap<string> _map;

    MmdbCountryLookup(PrefixMap<string> map, int networks)
    {
        _map = map;
        NetworkCount = networks;
    }

    public int NetworkCount { get; }

    public bool TryLookup(NetAddress address, out string countryCode) => _map.TryLookup(address, out countryCode);

    public static MmdbCountryLookup Open(string path)
    {
        using var reader = new Reader(path, FileAccessMode.Memory);
        return Load(reader);
    }

    public static MmdbCountryLookup Open(Stream stream)
    {
        using var reader = new Reader(stream);
        return Load(reader);
    }

    static MmdbCountryLookup Load(Reader reader)
    {
        var codes = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(NetPrefix, string)>();
        foreach (var node in reader.FindAll<CountryRecord>(cacheSize: 4096))
        {
            // The country where the network is; the registered country when the location is unknown (anycast, satellite).
            var iso = node.Data?.Country?.IsoCode ?? node.Data?.RegisteredCountry?.IsoCode;
            if (iso is not { Length: 2 } || !MmdbNetworks.TryToPrefix(node.Start, node.PrefixLength, out var prefix))
            {
                continue;
            }
            if (!codes.TryGetValue(iso, out var code))
            {
                code = codes[iso] = iso.ToUpperInvariant();
            }
            entries.Add((prefix, code));
        }
        return new MmdbCountryLookup(PrefixMap<string>.Build(entries), entries.Count);
    }
}

public sealed class CountryRecord
{
    [Constructor]
    public CountryRecord([MapKey("country")] CountryName? country, [MapKey("registered_country")] CountryName? registeredCountry)
    {
        Country = country;
        RegisteredCountry = registeredCountry;
    }

    public CountryName? Country { get; }
    public CountryName? RegisteredCountry { get; }
}

public sealed class CountryName
{
    [Constructor]
    public CountryName([MapKey("iso_code")] string? isoCode) => IsoCode = isoCode;

    public string? IsoCode { get; }
}
