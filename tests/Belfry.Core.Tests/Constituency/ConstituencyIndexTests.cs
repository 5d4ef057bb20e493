using Belfry.Core.Constituency;
using Belfry.Core.Net;

namespace Belfry.Core.Tests.Constituency;

public sealed class ConstituencyIndexTests
{
    static readonly Organisation s_isp = new()
    {
        Id = "0200000001",
        Name = "ISP",
        Prefixes = [NetPrefix.Parse("198.51.0.0/16"), NetPrefix.Parse("2001:db8::/32")],
        Asns = [64500, 64501],
        Domains = ["isp.be"],
    };

    static readonly Organisation s_hospital = new()
    {
        Id = "0200000002",
        Name = "Hospital",
        Prefixes = [NetPrefix.Parse("198.51.100.0/24"), NetPrefix.Parse("2001:db8:42::/48")],
        Domains = ["Hospital.Example.BE."],
    };

    static readonly Organisation s_ministry = new()
    {
        Id = "0200000003",
        Name = "Ministry",
        Domains = ["example.be"],
        Asns = [64502],
    };

    static readonly ConstituencyIndex s_index = new([s_isp, s_hospital, s_ministry]);

    [Theory]
    [InlineData("198.51.1.1", "0200000001")]
    [InlineData("198.51.100.0", "0200000002")]
    [InlineData("198.51.100.255", "0200000002")]
    [InlineData("198.51.101.0", "0200000001")]
    [InlineData("2001:db8:42:ffff::1", "0200000002")]
    [InlineData("2001:db8:43::1", "0200000001")]
    [InlineData("203.0.113.1", null)]
    [InlineData("2001:db9::1", null)]
    public void ByAddress_MostSpecificPrefix(string ip, string? expected)
    {
        Assert.Equal(expected, s_index.ByAddress(NetAddress.Parse(ip))?.Id);
    }

    [Theory]
    [InlineData(64500, "0200000001")]
    [InlineData(64501, "0200000001")]
    [InlineData(64502, "0200000003")]
    [InlineData(64503, null)]
    public void ByAsn_RegisteredAsn(long asn, string? expected)
    {
        Assert.Equal(expected, s_index.ByAsn(asn)?.Id);
    }

    [Theory]
    [InlineData("example.be", "0200000003")]
    [InlineData("www.example.be", "0200000003")]
    [InlineData("WWW.EXAMPLE.BE.", "0200000003")]
    [InlineData("hospital.example.be", "0200000002")]
    [InlineData("pacs.hospital.example.be", "0200000002")]
    [InlineData("isp.be", "0200000001")]
    [InlineData(" mail.isp.be ", "0200000001")]
    [InlineData("evilexample.be", null)]
    [InlineData("notisp.be", null)]
    [InlineData("example.be.attacker.net", null)]
    [InlineData("be", null)]
    [InlineData("", null)]
    [InlineData(".", null)]
    public void ByHostName_DomainAndSubdomains(string host, string? expected)
    {
        Assert.Equal(expected, s_index.ByHostName(host)?.Id);
    }

    [Fact]
    public void ById_KnownAndUnknown()
    {
        Assert.Same(s_hospital, s_index.ById("0200000002"));
        Assert.Null(s_index.ById("0999999999"));
        Assert.Equal(3, s_index.Organisations.Count);
    }

    [Fact]
    public void Empty_MatchesNothing()
    {
        Assert.Null(ConstituencyIndex.Empty.ByAddress(NetAddress.Parse("198.51.100.1")));
        Assert.Null(ConstituencyIndex.Empty.ByAsn(64500));
        Assert.Null(ConstituencyIndex.Empty.ByHostName("example.be"));
    }

    [Fact]
    public void ByAddress_TwoOrganisationsWithEqualContent_StayDistinct()
    {
        // Records compare by value: two organisations that look alike must not merge their ranges.
        var a = new Organisation { Id = "0200000010", Name = "Twin", Prefixes = [NetPrefix.Parse("192.0.2.0/25")] };
        var b = a with { Id = "0200000011", Prefixes = [NetPrefix.Parse("192.0.2.128/25")] };
        var index = new ConstituencyIndex([a, b]);

        Assert.Equal("0200000010", index.ByAddress(NetAddress.Parse("192.0.2.127"))?.Id);
        Assert.Equal("0200000011", index.ByAddress(NetAddress.Parse("192.0.2.128"))?.Id);
    }
}
