using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Tests;

public class SketchTests
{
    [Theory]
    [InlineData(100_000)]
    [InlineData(1_000)]
    [InlineData(5_000_000)]
    public void Estimate_DistinctAddresses_ErrorUnder5Percent(int n)
    {
        var hll = new HyperLogLog();
        for (var i = 0; i < n; i++)
        {
            // Each address added twice: duplicates must not count.
            var a = NetAddress.FromV4(0x0B00_0000u + (uint)i);
            hll.Add(a);
            hll.Add(a);
        }
        var error = Math.Abs(hll.Estimate() - n) / (double)n;
        Assert.True(error < 0.05, $"estimate {hll.Estimate()} for {n}: error {error:P2}");
    }

    [Fact]
    public void Estimate_Ipv6Sources_ErrorUnder5Percent()
    {
        var hll = new HyperLogLog();
        var baseValue = NetAddress.Parse("2001:db8::").Value;
        for (var i = 0; i < 100_000; i++)
        {
            hll.Add(new NetAddress(baseValue + ((UInt128)(ulong)i << 64) + 1));
        }
        Assert.InRange(hll.Estimate(), 95_000, 105_000);
    }

    [Fact]
    public void Merge_OverlappingSets_EstimatesUnion()
    {
        var a = new HyperLogLog();
        var b = new HyperLogLog();
        for (var i = 0; i < 60_000; i++)
        {
            a.Add(NetAddress.FromV4((uint)i));
        }
        for (var i = 40_000; i < 100_000; i++)
        {
            b.Add(NetAddress.FromV4((uint)i));
        }
        a.Merge(b);
        Assert.InRange(a.Estimate(), 95_000, 105_000);
    }

    [Fact]
    public void Estimate_Empty_Zero()
    {
        Assert.Equal(0, new HyperLogLog().Estimate());
    }

    [Fact]
    public void Top_HeavyItemsAmongManyLight_Found()
    {
        var hh = new HeavyHitters<uint>(16);
        var rng = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            hh.Add((uint)rng.Next(1000, 1_000_000), 1);
            if (i % 10 == 0)
            {
                hh.Add(7, 3);
            }
            if (i % 20 == 0)
            {
                hh.Add(8, 3);
            }
        }
        var top = hh.Top(2);
        Assert.Equal(7u, top[0].Value);
        Assert.Equal(8u, top[1].Value);
        // Space-saving never under-counts a monitored item: 7 got 2,000 × 3.
        Assert.True(top[0].Packets >= 6_000);
    }

    [Fact]
    public void Top_FewItems_ExactCountsSorted()
    {
        var hh = new HeavyHitters<ushort>(4);
        hh.Add(53, 5);
        hh.Add(123, 9);
        hh.Add(53, 5);
        var top = hh.Top(10);
        Assert.Equal([new TopItem<ushort>(53, 10), new TopItem<ushort>(123, 9)], top);
    }
}
