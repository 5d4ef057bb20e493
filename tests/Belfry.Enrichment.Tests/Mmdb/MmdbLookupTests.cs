using System.Net;
using Belfry.Core.Events;
using Belfry.Core.Net;
using MaxMind.Db;

namespace Belfry.Enrichment.Tests.Mmdb;

public sealed class MmdbLookupTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("belfry-mmdb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Dictionary<string, object> Asn(uint number, string? org = null)
    {
        var d = new Dictionary<string, object> { ["autonomous_system_number"] = new MmdbTestWriter.Uint32(number) };
        if (org is not null)
        {
            d["autonomous_system_organization"] = org;
        }
        return d;
    }

    string WriteAsnV6Database()
    {
        var bytes = new MmdbTestWriter(6, "GeoLite2-ASN")
            .Add("192.0.2.0/24", Asn(64500, "Example Org A"))
            .Add("192.0.2.128/25", Asn(64501, "Nested Org B"))
            .Add("198.51.100.0/24", Asn(64502))
            .Add("2001:db8::/32", Asn(64510, "Example V6"))
            .Add("2001:db8:1::/48", Asn(64511, "Nested V6"))
            .Build();
        var path = Path.Combine(_dir, "asn6.mmdb");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void TestWriter_ReadByMaxMindReader_ReturnsRecordsAndMetadata()
    {
        using var reader = new Reader(WriteAsnV6Database());

        Assert.Equal("GeoLite2-ASN", reader.Metadata.DatabaseType);
        Assert.Equal(6, reader.Metadata.IPVersion);
        var v4 = reader.Find<Dictionary<string, object>>(IPAddress.Parse("192.0.2.10"), out var v4Length);
        Assert.NotNull(v4);
        Assert.Equal(64500L, Convert.ToInt64(v4["autonomous_system_number"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Example Org A", v4["autonomous_system_organization"]);
        // The nested /25 splits the /24 in the tree: the lower half is a /25 record of its own.
        Assert.Equal(25, v4Length);
        Assert.NotNull(reader.Find<Dictionary<string, object>>(IPAddress.Parse("198.51.100.7"), out var plainLength));
        Assert.Equal(24, plainLength);
        var v6 = reader.Find<Dictionary<string, object>>(IPAddress.Parse("2001:db8:1::5"), out var v6Length);
        Assert.NotNull(v6);
        Assert.Equal("Nested V6", v6["autonomous_system_organization"]);
        Assert.Equal(48, v6Length);
        Assert.Null(reader.Find<Dictionary<string, object>>(IPAddress.Parse("203.0.113.1")));
    }

    [Theory]
    [InlineData("192.0.2.10", 64500, "Example Org A")]
    [InlineData("192.0.2.127", 64500, "Example Org A")]
    [InlineData("192.0.2.128", 64501, "Nested Org B")]
    [InlineData("192.0.2.255", 64501, "Nested Org B")]
    [InlineData("198.51.100.7", 64502, null)]
    [InlineData("2001:db8:ffff::1", 64510, "Example V6")]
    [InlineData("2001:db8:1::5", 64511, "Nested V6")]
    public void MmdbAsnLookup_KnownAddress_ReturnsAsnAndName(string ip, long asn, string? name)
    {
        var lookup = MmdbAsnLookup.Open(WriteAsnV6Database());

        Assert.True(lookup.TryLookup(NetAddress.Parse(ip), out var info));
        Assert.Equal(asn, info.Asn);
        Assert.Equal(name, info.Name);
    }

    [Theory]
    [InlineData("192.0.3.1")]
    [InlineData("10.0.0.1")]
    [InlineData("2001:db9::1")]
    [InlineData("::1")]
    public void MmdbAsnLookup_UnknownAddress_ReturnsFalse(string ip)
    {
        var lookup = MmdbAsnLookup.Open(WriteAsnV6Database());

        Assert.False(lookup.TryLookup(NetAddress.Parse(ip), out _));
    }

    [Fact]
    public void MmdbAsnLookup_Ipv4Database_LooksUpIpv4()
    {
        var bytes = new MmdbTestWriter(4, "DBIP-ASN-Lite")
            .Add("203.0.113.0/24", Asn(64520, "Doc Net"))
            .Add("0.0.0.0/1", Asn(64521, "Low Half"))
            .Build();
        using var stream = new MemoryStream(bytes);
        var lookup = MmdbAsnLookup.Open(stream);

        Assert.Equal("DBIP-ASN-Lite", lookup.DatabaseType);
        Assert.True(lookup.TryLookup(NetAddress.Parse("203.0.113.77"), out var doc));
        Assert.Equal(new AsnInfo(64520, "Doc Net"), doc);
        Assert.True(lookup.TryLookup(NetAddress.Parse("10.1.2.3"), out var low));
        Assert.Equal(64521, low.Asn);
        Assert.False(lookup.TryLookup(NetAddress.Parse("198.51.100.1"), out _));
    }

    [Fact]
    public void AsnLookupExpert_WithMmdb_FillsSourceAndDestination()
    {
        var expert = new AsnLookupExpert(MmdbAsnLookup.Open(WriteAsnV6Database()));
        var e = new Event();
        e.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.200"));
        e.Set(Fields.DestinationIp, NetAddress.Parse("2001:db8::9"));

        expert.Process([e]);

        Assert.Equal(64501, e.GetInteger(Fields.SourceAsn));
        Assert.Equal("Nested Org B", e.GetText(Fields.SourceAsName));
        Assert.Equal(64510, e.GetInteger(Fields.DestinationAsn));
        Assert.Equal("Example V6", e.GetText("destination.as_name"));
    }

    [Fact]
    public void MmdbCountryLookup_NestedCountryMaps_FillsCountryCode()
    {
        static Dictionary<string, object> Country(string cc) =>
            new() { ["country"] = new Dictionary<string, object> { ["iso_code"] = cc, ["geoname_id"] = new MmdbTestWriter.Uint32(1) } };
        var bytes = new MmdbTestWriter(6, "GeoLite2-Country")
            .Add("192.0.2.0/24", Country("BE"))
            .Add("2001:db8::/32", Country("NL"))
            .Add("198.51.100.0/24", new Dictionary<string, object> { ["registered_country"] = new Dictionary<string, object> { ["iso_code"] = "FR" } })
            .Build();
        using var stream = new MemoryStream(bytes);
        var expert = new MmdbGeoExpert(MmdbCountryLookup.Open(stream));
        var a = new Event();
        a.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
        a.Set(Fields.DestinationIp, NetAddress.Parse("2001:db8::1"));
        var b = new Event();
        b.Set(Fields.SourceIp, NetAddress.Parse("198.51.100.1"));
        var c = new Event();
        c.Set(Fields.SourceIp, NetAddress.Parse("203.0.113.1"));

        expert.Process([a, b, c]);

        Assert.Equal("BE", a.GetText(Fields.SourceCc));
        Assert.Equal("NL", a.GetText("destination.geolocation.cc"));
        Assert.Equal("FR", b.GetText(Fields.SourceCc));
        Assert.Null(c.GetText(Fields.SourceCc));
        Assert.Equal(2, expert.Matched);
    }

    [Theory]
    [InlineData("::ffff:192.0.2.0", 120, "192.0.2.0/24")]
    [InlineData("::192.0.2.0", 120, "192.0.2.0/24")]
    [InlineData("::", 96, "0.0.0.0/0")]
    [InlineData("2001:db8::", 32, "2001:db8::/32")]
    [InlineData("192.0.2.0", 24, "192.0.2.0/24")]
    public void TryToPrefix_ReaderNetworks_MapsIpv4Subtree(string start, int length, string expected)
    {
        Assert.True(MmdbNetworks.TryToPrefix(IPAddress.Parse(start), length, out var prefix));
        Assert.Equal(NetPrefix.Parse(expected), prefix);
    }
}
