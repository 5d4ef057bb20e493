using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Tests;

public class NetworkTableTests
{
    static readonly NetPrefix[] s_prefixes =
    [
        NetPrefix.Parse("10.0.0.0/8"),
        NetPrefix.Parse("10.9.0.0/16"),
        NetPrefix.Parse("10.9.128.0/20"),
        NetPrefix.Parse("192.0.2.0/24"),
        NetPrefix.Parse("198.51.100.128/25"),
        NetPrefix.Parse("2001:db8::/32"),
        NetPrefix.Parse("2001:db8:5::/48"),
    ];

    [Theory]
    [InlineData("10.1.2.3", 0)]
    [InlineData("10.9.1.1", 1)]
    [InlineData("10.9.130.1", 2)]
    [InlineData("10.9.144.0", 1)]
    [InlineData("192.0.2.255", 3)]
    [InlineData("192.0.3.0", -1)]
    [InlineData("198.51.100.127", -1)]
    [InlineData("198.51.100.128", 4)]
    [InlineData("2001:db8:1::1", 5)]
    [InlineData("2001:db8:5::1", 6)]
    [InlineData("2001:db9::1", -1)]
    [InlineData("11.0.0.0", -1)]
    public void TryLookup_LongestMatch(string address, int expected)
    {
        var table = new NetworkTable(s_prefixes);
        var found = table.TryLookup(NetAddress.Parse(address), out var index);
        Assert.Equal(expected >= 0, found);
        if (found)
        {
            Assert.Equal(expected, index);
        }
    }

    [Fact]
    public void TryLookup_RandomAddresses_SameAsPrefixMap()
    {
        var table = new NetworkTable(s_prefixes);
        var map = PrefixMap<int>.Build(s_prefixes.Select((p, i) => (p, i)));
        var rng = new Random(23768213);
        for (var i = 0; i < 200_000; i++)
        {
            // Bias towards the configured space so both answers occur often.
            var v4 = i % 2 == 0 ? 0x0A00_0000u | (uint)rng.Next(1 << 24) : (uint)rng.Next() | ((uint)rng.Next(2) << 31);
            var a = NetAddress.FromV4(v4);
            var found = map.TryLookup(a, out var m);
            Assert.Equal(found, table.TryLookup(a, out var t));
            if (found)
            {
                Assert.Equal(m, t);
            }
        }
    }

    [Fact]
    public void TryLookup_OnlyIpv6Configured_Ipv4NotFound()
    {
        var table = new NetworkTable([NetPrefix.Parse("2001:db8::/32")]);
        Assert.False(table.TryLookup(NetAddress.Parse("10.0.0.1"), out _));
        Assert.True(table.TryLookup(NetAddress.Parse("2001:db8::1"), out _));
    }
}
