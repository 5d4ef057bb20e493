using Belfry.Core.Net;

namespace Belfry.Core.Tests.Net;

public sealed class PrefixMapTests
{
    static PrefixMap<string> Build(params (string Cidr, string Value)[] entries) =>
        PrefixMap<string>.Build(entries.Select(e => (NetPrefix.Parse(e.Cidr), e.Value)));

    static string? Lookup(PrefixMap<string> map, string ip) => map.TryLookup(NetAddress.Parse(ip), out var v) ? v : null;

    [Fact]
    public void TryLookup_Empty_ReturnsFalse()
    {
        Assert.False(PrefixMap<string>.Empty.TryLookup(NetAddress.Parse("192.0.2.1"), out _));
        Assert.Equal(0, PrefixMap<string>.Empty.RangeCount);
    }

    [Theory]
    [InlineData("10.0.0.0", "a")]
    [InlineData("10.0.255.255", "a")]
    [InlineData("10.1.0.0", "b")]
    [InlineData("10.1.2.0", "c")]
    [InlineData("10.1.2.127", "c")]
    [InlineData("10.1.2.128", "d")]
    [InlineData("10.1.2.255", "d")]
    [InlineData("10.1.3.0", "b")]
    [InlineData("10.1.255.255", "b")]
    [InlineData("10.2.0.0", "a")]
    [InlineData("10.255.255.255", "a")]
    [InlineData("11.0.0.0", null)]
    [InlineData("9.255.255.255", null)]
    public void TryLookup_NestedPrefixes_MostSpecificWins(string ip, string? expected)
    {
        var map = Build(("10.1.2.128/25", "d"), ("10.0.0.0/8", "a"), ("10.1.2.0/24", "c"), ("10.1.0.0/16", "b"));

        Assert.Equal(expected, Lookup(map, ip));
    }

    [Fact]
    public void Build_IdenticalPrefixes_LaterEntryWins()
    {
        var map = Build(("192.0.2.0/24", "first"), ("192.0.2.0/24", "second"));

        Assert.Equal("second", Lookup(map, "192.0.2.77"));
    }

    [Theory]
    [InlineData("0.0.0.0", "all4")]
    [InlineData("255.255.255.255", "all4")]
    [InlineData("192.0.2.1", "doc")]
    [InlineData("::", "all6")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "all6")]
    [InlineData("2001:db8::1", "doc6")]
    public void TryLookup_DefaultRoutes_CoverWholeSpace(string ip, string expected)
    {
        var map = Build(("0.0.0.0/0", "all4"), ("::/0", "all6"), ("192.0.2.0/24", "doc"), ("2001:db8::/32", "doc6"));

        Assert.Equal(expected, Lookup(map, ip));
    }

    [Fact]
    public void TryLookup_OnlyV6DefaultRoute_CoversMappedIpv4()
    {
        // NetAddress keeps IPv4 inside ::ffff:0:0/96, so ::/0 contains it.
        var map = Build(("::/0", "all"));

        Assert.Equal("all", Lookup(map, "192.0.2.1"));
    }

    [Theory]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "top")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "high")]
    [InlineData("ffff::", "high")]
    [InlineData("fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    public void TryLookup_TopOfAddressSpace_Handled(string ip, string? expected)
    {
        var map = Build(("ffff::/16", "high"), ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "top"));

        Assert.Equal(expected, Lookup(map, ip));
    }

    [Theory]
    [InlineData("255.255.255.255", "top")]
    [InlineData("255.255.255.254", "wide")]
    [InlineData("0.0.0.0", "bottom")]
    [InlineData("0.0.0.1", "wide")]
    public void TryLookup_V4Edges_Handled(string ip, string expected)
    {
        var map = Build(("0.0.0.0/0", "wide"), ("255.255.255.255/32", "top"), ("0.0.0.0/32", "bottom"));

        Assert.Equal(expected, Lookup(map, ip));
    }

    [Fact]
    public void Build_AdjacentRangesSameValue_AreMerged()
    {
        var map = Build(("192.0.2.0/25", "x"), ("192.0.2.128/25", "x"), ("192.0.3.0/24", "y"));

        Assert.Equal(2, map.RangeCount);
        Assert.Equal("x", Lookup(map, "192.0.2.127"));
        Assert.Equal("x", Lookup(map, "192.0.2.128"));
        Assert.Equal("y", Lookup(map, "192.0.3.0"));
        Assert.Null(Lookup(map, "192.0.4.0"));
    }

    [Fact]
    public void Build_AdjacentRangesDifferentValues_KeepBoundary()
    {
        var map = Build(("192.0.2.0/25", "x"), ("192.0.2.128/25", "y"));

        Assert.Equal("x", Lookup(map, "192.0.2.127"));
        Assert.Equal("y", Lookup(map, "192.0.2.128"));
        Assert.Null(Lookup(map, "192.0.1.255"));
        Assert.Null(Lookup(map, "192.0.3.0"));
    }

    [Fact]
    public void Build_ChildAtParentStartAndEnd_ParentFillsMiddle()
    {
        var map = Build(("10.0.0.0/8", "p"), ("10.0.0.0/16", "first"), ("10.255.0.0/16", "last"));

        Assert.Equal("first", Lookup(map, "10.0.255.255"));
        Assert.Equal("p", Lookup(map, "10.1.0.0"));
        Assert.Equal("p", Lookup(map, "10.254.255.255"));
        Assert.Equal("last", Lookup(map, "10.255.0.0"));
        Assert.Equal("last", Lookup(map, "10.255.255.255"));
        Assert.Null(Lookup(map, "11.0.0.0"));
    }

    [Fact]
    public void Build_DeepChainThenSibling_ParentResumes()
    {
        var map = Build(("10.0.0.0/8", "a"), ("10.0.0.0/9", "b"), ("10.0.0.0/10", "c"), ("10.64.0.0/10", "d"), ("10.128.0.0/9", "e"));

        Assert.Equal("c", Lookup(map, "10.63.255.255"));
        Assert.Equal("d", Lookup(map, "10.64.0.0"));
        Assert.Equal("d", Lookup(map, "10.127.255.255"));
        Assert.Equal("e", Lookup(map, "10.128.0.0"));
    }

    [Fact]
    public void TryLookup_RandomPrefixes_MatchesLinearLongestPrefixSearch()
    {
        const int Seed = 23768213;
        var random = new Random(Seed);
        for (var round = 0; round < 200; round++)
        {
            var entries = RandomEntries(random, random.Next(1, 40));
            var map = PrefixMap<int>.Build(entries);
            var probes = new List<NetAddress>();
            foreach (var (p, _) in entries)
            {
                probes.Add(p.Network);
                probes.Add(p.Last);
                probes.Add(new NetAddress(p.Network.Value - 1));
                probes.Add(new NetAddress(p.Last.Value + 1));
            }
            for (var i = 0; i < 50; i++)
            {
                probes.Add(random.Next(2) == 0 ? NetAddress.FromV4((uint)random.NextInt64(0, 1L << 32)) : RandomV6(random));
            }
            foreach (var a in probes)
            {
                var expectedFound = BruteForce(entries, a, out var expected);
                var found = map.TryLookup(a, out var actual);
                Assert.True(expectedFound == found, $"seed {Seed} round {round}: {a} found={found}, expected {expectedFound}");
                if (found)
                {
                    Assert.True(expected == actual, $"seed {Seed} round {round}: {a} -> {actual}, expected {expected}");
                }
            }
        }
    }

    static bool BruteForce(List<(NetPrefix Prefix, int Value)> entries, NetAddress a, out int value)
    {
        var best = -1;
        value = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var p = entries[i].Prefix;
            var bits = (p.IsV4 ? 96 : 0) + p.Length;
            if (p.Contains(a) && bits >= best)
            {
                best = bits;
                value = entries[i].Value;
            }
        }
        return best >= 0;
    }

    static NetAddress RandomV6(Random r) =>
        new(new UInt128((ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63), (ulong)r.NextInt64()));

    static List<(NetPrefix, int)> RandomEntries(Random r, int count)
    {
        var list = new List<(NetPrefix, int)>();
        for (var i = 0; i < count; i++)
        {
            NetPrefix p;
            if (list.Count > 0 && r.Next(3) == 0)
            {
                // Nested in (or equal to) an earlier prefix.
                var (parent, _) = list[r.Next(list.Count)];
                var max = parent.IsV4 ? 32 : 128;
                var len = r.Next(parent.Length, max + 1);
                var offset = RandomV6(r).Value & (parent.Last.Value - parent.Network.Value);
                p = new NetPrefix(new NetAddress(parent.Network.Value | offset), len);
            }
            else if (r.Next(2) == 0)
            {
                // Short v4 prefixes in a small space, so that they overlap often.
                p = new NetPrefix(NetAddress.FromV4((uint)r.Next(0, 16) << 28 | (uint)r.Next()), r.Next(0, 33));
            }
            else
            {
                var a = r.Next(4) == 0 ? new NetAddress(UInt128.MaxValue - (UInt128)(uint)r.Next()) : RandomV6(r);
                p = new NetPrefix(a, r.Next(0, 129));
            }
            list.Add((p, i));
        }
        return list;
    }
}
