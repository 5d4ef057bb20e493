using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests;

public sealed class ConstituencyExpertTests
{
    static readonly ConstituencyIndex s_index = new(
    [
        new Organisation { Id = "0200000001", Name = "Wide ISP", Prefixes = [NetPrefix.Parse("198.51.0.0/16"), NetPrefix.Parse("2001:db8::/32")], Asns = [64500] },
        new Organisation { Id = "0200000002", Name = "Hospital", Prefixes = [NetPrefix.Parse("198.51.100.0/24"), NetPrefix.Parse("2001:db8:42::/48")] },
        new Organisation { Id = "0200000003", Name = "Ministry", Domains = ["example.be"], Asns = [64501] },
    ]);

    static Event Make(params (string Name, object Value)[] fields)
    {
        var e = new Event();
        foreach (var (name, value) in fields)
        {
            switch (value)
            {
                case string s when name.EndsWith(".ip", StringComparison.Ordinal):
                    e.Set(name, NetAddress.Parse(s));
                    break;
                case string s:
                    e.Set(name, s);
                    break;
                case long l:
                    e.Set(name, l);
                    break;
                case int i:
                    e.Set(name, i);
                    break;
            }
        }
        return e;
    }

    static string? Run(Event e, ConstituencyExpertOptions? options = null)
    {
        new ConstituencyExpert(s_index, options).Process([e]);
        return e.Organisation;
    }

    [Theory]
    [InlineData("198.51.7.1", "0200000001")]
    [InlineData("198.51.100.9", "0200000002")]
    [InlineData("198.51.101.0", "0200000001")]
    [InlineData("2001:db8:42::1", "0200000002")]
    [InlineData("2001:db8:43::1", "0200000001")]
    public void Process_SourceIp_MostSpecificPrefixWins(string ip, string expected)
    {
        var e = Make((Fields.SourceIp, ip));

        Assert.Equal(expected, Run(e));
        Assert.Equal(expected, e.GetText(Fields.ExtraOrganisation));
    }

    [Fact]
    public void Process_IpNotRegistered_FallsBackToAsn()
    {
        var e = Make((Fields.SourceIp, "203.0.113.5"), (Fields.SourceAsn, 64501L));

        Assert.Equal("0200000003", Run(e));
    }

    [Fact]
    public void Process_AsnAsText_IsParsed()
    {
        var e = Make((Fields.SourceAsn, "AS64500"));

        Assert.Equal("0200000001", Run(e));
    }

    [Theory]
    [InlineData("example.be")]
    [InlineData("www.example.be")]
    [InlineData("a.b.Example.BE")]
    [InlineData("example.be.")]
    public void Process_FqdnOrSubdomain_Matches(string fqdn)
    {
        Assert.Equal("0200000003", Run(Make((Fields.SourceFqdn, fqdn))));
    }

    [Theory]
    [InlineData("evilexample.be")]
    [InlineData("example.be.evil.com")]
    [InlineData("example.com")]
    [InlineData("be")]
    public void Process_LookalikeDomain_DoesNotMatch(string fqdn)
    {
        var e = Make((Fields.SourceFqdn, fqdn));

        Assert.Null(Run(e));
        Assert.False(e.Contains(Fields.ExtraOrganisation));
    }

    [Theory]
    [InlineData("https://login.example.be/phish?x=1", "0200000003")]
    [InlineData("http://user:pw@example.be:8080/", "0200000003")]
    [InlineData("example.be/path", "0200000003")]
    [InlineData("http://198.51.100.20/bad.exe", "0200000002")]
    [InlineData("http://[2001:db8:42::7]:443/x", "0200000002")]
    [InlineData("http://evilexample.be/", null)]
    public void Process_UrlOnly_UsesUrlHost(string url, string? expected)
    {
        Assert.Equal(expected, Run(Make((Fields.SourceUrl, url))));
    }

    [Fact]
    public void Process_NoMatch_LeavesEventUntouched()
    {
        var e = Make((Fields.SourceIp, "203.0.113.5"), (Fields.SourceAsn, 65000L), (Fields.SourceFqdn, "other.nl"));
        var before = e.Count;
        var expert = new ConstituencyExpert(s_index);

        expert.Process([e]);

        Assert.Null(e.Organisation);
        Assert.Equal(before, e.Count);
        Assert.Equal(1, expert.Processed);
        Assert.Equal(0, expert.Matched);
    }

    [Fact]
    public void Process_DestinationFeed_UsesDestinationFields()
    {
        var options = new ConstituencyExpertOptions { DestinationFeeds = new HashSet<string> { "honeypot-attacks" } };
        var targeted = Make((Fields.FeedName, "honeypot-attacks"), (Fields.SourceIp, "198.51.7.1"), (Fields.DestinationIp, "198.51.100.1"));
        var other = Make((Fields.FeedName, "scanners"), (Fields.SourceIp, "198.51.7.1"), (Fields.DestinationIp, "198.51.100.1"));

        Assert.Equal("0200000002", Run(targeted, options));
        Assert.Equal("0200000001", Run(other, options));
        Assert.Equal("0200000002", Run(Make((Fields.DestinationIp, "198.51.100.1")), new ConstituencyExpertOptions { UseDestination = true }));
    }

    [Fact]
    public void Process_Counters_CountEachKindOfMatch()
    {
        var expert = new ConstituencyExpert(s_index);

        expert.Process(
        [
            Make((Fields.SourceIp, "198.51.100.1")),
            Make((Fields.SourceAsn, 64500L)),
            Make((Fields.SourceFqdn, "mail.example.be")),
            Make((Fields.SourceIp, "203.0.113.1")),
        ]);

        Assert.Equal(4, expert.Processed);
        Assert.Equal(3, expert.Matched);
        Assert.Equal(1, expert.MatchedByAddress);
        Assert.Equal(1, expert.MatchedByAsn);
        Assert.Equal(1, expert.MatchedByHostName);
    }

    [Fact]
    public void Process_OrganisationNamedByTheInputOutsideTheConstituency_Cleared()
    {
        // An input (an IntelMQ export, a mapped CSV column) that names an owner for an address no
        // organisation holds: the event gets no organisation.
        var e = Make((Fields.SourceIp, "192.0.2.1"), (Fields.ExtraOrganisation, "0200000002"));
        e.Organisation = "0200000002";

        Assert.Null(Run(e));
        Assert.False(e.Contains(Fields.ExtraOrganisation));
    }

    [Fact]
    public void Process_OrganisationNamedByTheInputForAnotherOrganisationsAddress_TheConstituencyDecides()
    {
        var e = Make((Fields.SourceIp, "198.51.100.9"), (Fields.ExtraOrganisation, "0200000003"));
        e.Organisation = "0200000003";

        Assert.Equal("0200000002", Run(e));
        Assert.Equal("0200000002", e.GetText(Fields.ExtraOrganisation));
    }
}
