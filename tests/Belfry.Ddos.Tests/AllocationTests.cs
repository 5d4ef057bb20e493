using Belfry.Core.Net;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Generation;
using static Belfry.Ddos.Tests.Sim;

namespace Belfry.Ddos.Tests;

public class AllocationTests
{
    static DdosDetector Detector() => new(new DetectorOptions
    {
        Networks = [new MonitoredNetwork(NetPrefix.Parse("192.0.2.0/24")), new MonitoredNetwork(NetPrefix.Parse("2001:db8::/32"))],
        WhitelistedSources = [NetPrefix.Parse("203.0.113.0/24")],
    });

    [Fact]
    public void Count_WarmRecord_AllocatesNothing()
    {
        var shard = Detector().CreateShard();
        var records = new[]
        {
            Flow(Source(1), Ip("192.0.2.10"), 17, 53, 4000, 10, 1200),                     // in, under the detail rate
            Flow(Source(2), Ip("192.0.2.11"), 6, 5555, 80, 5000, 60, 0x02, srcAs: 64500),  // in, with sketches (above 1,000 pps)
            Flow(Ip("192.0.2.12"), Source(3), 17, 123, 4000, 10, 400),                     // out
            Flow(Ip("203.0.113.5"), Ip("192.0.2.10"), 17, 53, 4000, 10, 400),              // whitelisted
            Flow(Source(4), Ip("198.51.100.1"), 6, 1, 2, 1, 40),                            // not monitored
            Flow(Ip("2001:db8:ffff::1"), Ip("2001:db8::10"), 17, 0, 0, 10, 1400, fragment: true),
        };
        // Warm: hosts known, and busy hosts past the detail rate have their sketches (pooled after the first second).
        for (var i = 0; i < 1_000; i++)
        {
            foreach (var r in records)
            {
                shard.Count(r);
            }
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            foreach (var r in records)
            {
                shard.Count(r);
            }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Decode_IntoShardSink_AllocatesNothingPerDatagram()
    {
        var flows = Enumerable.Range(0, 30).Select(i => Flow(Source(i), NetAddress.FromV4(0xC000_0200u + (uint)i), 17, 53, 4000, 3, 900)).ToArray();
        var datagram = IpfixWriter.Flows(flows, 1, 1, 7);
        var decoder = new FlowDecoder();
        var sink = Detector().CreateShard().Sink;
        for (var i = 0; i < 1_000; i++)
        {
            decoder.Decode(datagram, Ip("192.0.2.250"), 0, ref sink);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2_000; i++)
        {
            decoder.Decode(datagram, Ip("192.0.2.250"), 0, ref sink);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

public class SteadyStateAllocationTests
{
    [Fact]
    public void Count_SecondsAfterTheFirst_SketchesComeFromThePool()
    {
        var detector = new DdosDetector(new DetectorOptions { Networks = [new MonitoredNetwork(NetPrefix.Parse("192.0.2.0/24"))] });
        var shard = detector.CreateShard();
        var records = Enumerable.Range(0, 50).Select(i => Flow(Source(i), NetAddress.FromV4(0xC000_0200u + (uint)i), 17, 53, 4000, 2_000, 900)).ToArray();
        var now = T0;
        for (var s = 0; s < 3; s++)
        {
            foreach (var r in records)
            {
                shard.Count(r);
            }
            now = now.AddSeconds(1);
            detector.Tick(now);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var r in records)
        {
            shard.Count(r);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
