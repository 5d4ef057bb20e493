using MaxMind.Db;
using Belfry.Core.Net;

namespace Belfry.Enrichment;

/// <summary>
/// IP-to-AS from a GeoLite2-ASN or DB-IP ASN (lite) MaxMind DB file. The whole database is read
/// once, through MaxMind.Db's reader, into a <see cref="PrefixMap{T}"/>: a lookup per event is
/// then one binary search with no allocation, where the reader would allocate an
/// <see cref="System.Net.IPAddress"/> and a result object per call.
/// </summary>
public sealed class MmdbAsnLookup : IAsnLookup
{
    readonly PrefixMap<AsnInfo> _map;

    MmdbAsnLookup(PrefixMap<AsnInfo> map, int networks, string databaseType)
    {
        _map = map;
        NetworkCount = networks;
        DatabaseType = databaseType;
    }

    public int NetworkCount { get; }
    public string DatabaseType { get; }

    public bool TryLookup(NetAddress address, out AsnInfo info) => _map.TryLookup(address, out info);

    public static MmdbAsnLookup Open(string path)
    {
        using var reader = new Reader(path, FileAccessMode.Memory);
        return Load(reader);
    }

    public static MmdbAsnLookup Open(Stream stream)
    {
        using var reader = new Reader(stream);
        return Load(reader);
    }

    static MmdbAsnLookup Load(Reader reader)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal); // one string per AS name
        var entries = new List<(NetPrefix, AsnInfo)>();
        foreach (var node in reader.FindAll<AsnRecord>(cacheSize: 4096))
        {
            if (node.Data?.Number is not { } asn || asn <= 0 || !MmdbNetworks.TryToPrefix(node.Start, node.PrefixLength, out var prefix))
            {
                continue;
            }
            string? name = null;
            if (node.Data.Organization is { Length: > 0 } org)
            {
                name = names.TryGetValue(org, out var shared) ? shared : names[org] = org;
            }
            entries.Add((prefix, new AsnInfo(asn, name)));
        }
        return new MmdbAsnLookup(PrefixMap<AsnInfo>.Build(entries), entries.Count, reader.Metadata.DatabaseType);
    }
}

/// <summary>One record of an ASN database (GeoLite2-ASN and DB-IP ASN use the same keys).</summary>
public sealed class AsnRecord
{
    [Constructor]
    public AsnRecord(
        [MapKey("autonomous_system_number")] long? number,
        [MapKey("autonomous_system_organization")] string? organization)
    {
        Number = number;
        Organization = organization;
    }

    public long? Number { get; }
    public string? Organization { get; }
}
