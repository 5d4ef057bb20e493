using System.IO.Compression;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests;

public sealed class Pfx2AsTableTests
{
    const string V4File =
        "1.0.0.0\t24\t13335\n" +
        "192.0.2.0\t24\t64500\n" +
        "192.0.2.128\t25\t64501_64502\n" +
        "198.51.100.0\t24\t{64512,64513}\n" +
        "203.0.113.0\t24\t64520_{64521,64522}\n" +
        "not-an-ip\t24\t1\n" +
        "10.0.0.0\t33\t1\n" +
        "10.0.0.0\t8\n" +
        "10.0.0.0\t8\tAS1\n" +
        "10.0.0.0\t8\t0\n" +
        "\n" +
        "# comment\n";

    const string V6File =
        "2001:db8::\t32\t64510\n" +
        "2001:db8:1::\t48\t64511_64512\n" +
        "2001:db8::\t129\t1\n";

    [Fact]
    public void Load_V4File_CountsPrefixesAndBadLines()
    {
        var table = Pfx2AsTable.Load(new StringReader(V4File));

        Assert.Equal(5, table.PrefixCount);
        Assert.Equal(5, table.BadLines);
    }

    [Theory]
    [InlineData("1.0.0.200", 13335)]
    [InlineData("192.0.2.1", 64500)]
    [InlineData("192.0.2.200", 64501)]
    [InlineData("198.51.100.1", 64512)]
    [InlineData("203.0.113.255", 64520)]
    public void TryLookup_V4_ReturnsFirstOrigin(string ip, long asn)
    {
        var table = Pfx2AsTable.Load(new StringReader(V4File));

        Assert.True(table.TryLookup(NetAddress.Parse(ip), out var info));
        Assert.Equal(asn, info.Asn);
        Assert.Null(info.Name);
    }

    [Theory]
    [InlineData("10.1.1.1")]
    [InlineData("192.0.3.0")]
    [InlineData("2001:db8::1")]
    public void TryLookup_NotRouted_ReturnsFalse(string ip)
    {
        var table = Pfx2AsTable.Load(new StringReader(V4File));

        Assert.False(table.TryLookup(NetAddress.Parse(ip), out _));
    }

    [Fact]
    public void Load_V4AndV6GzipFiles_LooksUpBoth()
    {
        var dir = Directory.CreateTempSubdirectory("belfry-pfx2as-").FullName;
        try
        {
            var v4 = Path.Combine(dir, "routeviews-rv2-20240101-1200.pfx2as");
            File.WriteAllText(v4, V4File);
            var v6 = Path.Combine(dir, "routeviews-rv6-20240101-1200.pfx2as.gz");
            using (var gz = new GZipStream(File.Create(v6), CompressionLevel.Fastest))
            using (var w = new StreamWriter(gz))
            {
                w.Write(V6File);
            }

            var table = Pfx2AsTable.Load(v4, v6);

            Assert.Equal(7, table.PrefixCount);
            Assert.Equal(6, table.BadLines);
            Assert.True(table.TryLookup(NetAddress.Parse("2001:db8:1::1"), out var nested));
            Assert.Equal(64511, nested.Asn);
            Assert.True(table.TryLookup(NetAddress.Parse("2001:db8:2::1"), out var wide));
            Assert.Equal(64510, wide.Asn);
            Assert.True(table.TryLookup(NetAddress.Parse("192.0.2.1"), out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("64500", 64500)]
    [InlineData("701_702", 701)]
    [InlineData("{64512,64513}", 64512)]
    [InlineData("{64512}", 64512)]
    [InlineData("4294967295", 4294967295)]
    public void TryParseOrigin_Forms_ReturnsFirstAs(string text, long expected)
    {
        Assert.True(Pfx2AsTable.TryParseOrigin(text, out var asn));
        Assert.Equal(expected, asn);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("4294967296")]
    [InlineData("-1")]
    [InlineData("_702")]
    public void TryParseOrigin_Invalid_ReturnsFalse(string text)
    {
        Assert.False(Pfx2AsTable.TryParseOrigin(text, out _));
    }

    sealed class FakeLookup(Dictionary<NetAddress, AsnInfo> table) : IAsnLookup
    {
        public bool TryLookup(NetAddress address, out AsnInfo info) => table.TryGetValue(address, out info);
    }

    [Fact]
    public void AsnLookupExpert_AsnPresent_IsNotOverwritten()
    {
        var ip = NetAddress.Parse("192.0.2.1");
        var expert = new AsnLookupExpert(new FakeLookup(new() { [ip] = new AsnInfo(64500, "Lookup Name") }));
        var has = new Event();
        has.Set(Fields.SourceIp, ip);
        has.Set(Fields.SourceAsn, 1L);
        var missing = new Event();
        missing.Set(Fields.SourceIp, ip);
        missing.Set(Fields.SourceAsName, "Feed Name");
        var unknown = new Event();
        unknown.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.2"));
        var noIp = new Event();

        expert.Process([has, missing, unknown, noIp]);

        Assert.Equal(1, has.GetInteger(Fields.SourceAsn));
        Assert.Equal(64500, missing.GetInteger(Fields.SourceAsn));
        Assert.Equal("Feed Name", missing.GetText(Fields.SourceAsName));
        Assert.False(unknown.Contains(Fields.SourceAsn));
        Assert.Equal(4, expert.Processed);
        Assert.Equal(1, expert.Matched);
        Assert.Equal(1, expert.Missed);
    }
}
