using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Tests;

public class AttackStoreTests
{
    static Attack Sample(string id = "20210504T090000Z-192.0.2.10", DateTime? start = null, DateTime? end = null) => new()
    {
        Id = id,
        TargetKind = AttackTargetKind.Host,
        Target = NetPrefix.Parse("192.0.2.10/32"),
        Network = NetPrefix.Parse("192.0.2.0/24"),
        Organisation = "org-belnet",
        HostGroup = "default",
        Vectors = [AttackVector.DnsAmplification, AttackVector.SynFlood],
        Reason = DetectionReason.Threshold,
        Trigger = "pps",
        Start = start ?? new DateTime(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc),
        Detected = new DateTime(2021, 5, 4, 9, 0, 1, DateTimeKind.Utc),
        LastSeen = new DateTime(2021, 5, 4, 9, 5, 0, DateTimeKind.Utc),
        End = end,
        CurrentPps = 150_000,
        CurrentBps = 1.2e9,
        PeakPps = 200_000,
        PeakBps = 2.4e9,
        PeakFlowsPerSecond = 300,
        TotalPackets = 12_345_678,
        TotalBytes = 9_876_543_210,
        DistinctSources = 257_000,
        TopSources = [new TopItem<NetAddress>(NetAddress.Parse("203.0.113.66"), 1000), new TopItem<NetAddress>(NetAddress.Parse("2001:db8::66"), 900)],
        TopSourcePorts = [new TopItem<ushort>(53, 5000)],
        TopSourceAsns = [new TopItem<uint>(64500, 4000)],
        Sequence = 3,
    };

    [Fact]
    public async Task SaveAsync_ThenGet_RoundTripsEveryField()
    {
        var path = Path.Combine(Path.GetTempPath(), $"belfry-attacks-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = await AttackStore.OpenAsync(path, TestContext.Current.CancellationToken);
            var a = Sample();
            await store.SaveAsync(a, TestContext.Current.CancellationToken);
            var back = await store.GetAsync(a.Id, TestContext.Current.CancellationToken);
            Assert.NotNull(back);
            Assert.Equal(a with { Vectors = back.Vectors, TopSources = back.TopSources, TopSourcePorts = back.TopSourcePorts, TopSourceAsns = back.TopSourceAsns }, back);
            Assert.Equal(a.Vectors, back.Vectors);
            Assert.Equal(a.TopSources, back.TopSources);
            Assert.Equal(a.TopSourcePorts, back.TopSourcePorts);
            Assert.Equal(a.TopSourceAsns, back.TopSourceAsns);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SaveAsync_SameIdTwice_UpdatesOneRow()
    {
        var path = Path.Combine(Path.GetTempPath(), $"belfry-attacks-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = await AttackStore.OpenAsync(path, TestContext.Current.CancellationToken);
            await store.SaveAsync(Sample(), TestContext.Current.CancellationToken);
            var end = new DateTime(2021, 5, 4, 9, 6, 0, DateTimeKind.Utc);
            await store.SaveAsync(Sample(end: end), TestContext.Current.CancellationToken);
            Assert.Equal(1, await store.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal(end, (await store.GetAsync(Sample().Id, TestContext.Current.CancellationToken))!.End);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ListRecentAsync_NewestFirstWithLimitAndSince()
    {
        var path = Path.Combine(Path.GetTempPath(), $"belfry-attacks-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = await AttackStore.OpenAsync(path, TestContext.Current.CancellationToken);
            var t = new DateTime(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < 5; i++)
            {
                await store.SaveAsync(Sample(id: $"a{i}", start: t.AddMinutes(i)), TestContext.Current.CancellationToken);
            }
            var recent = await store.ListRecentAsync(3, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(["a4", "a3", "a2"], recent.Select(a => a.Id));
            var since = await store.ListRecentAsync(10, t.AddMinutes(3), TestContext.Current.CancellationToken);
            Assert.Equal(["a4", "a3"], since.Select(a => a.Id));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ToEvent_HostAttack_IntelMqDdosFields()
    {
        var a = Sample();
        var observed = new DateTime(2021, 5, 4, 9, 0, 1, DateTimeKind.Utc);
        var e = AttackEvents.ToEvent(new AttackEvent(AttackEventKind.Started, a, observed));

        Assert.Equal("availability", e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal("ddos", e.ClassificationType);
        Assert.Equal("dns_amplification", e.ClassificationIdentifier);
        Assert.Equal(NetAddress.Parse("192.0.2.10"), e.GetAddress(Fields.DestinationIp));
        Assert.Equal("Belfry DDoS detection", e.FeedName);
        Assert.Equal(a.Start, e.TimeSource);
        Assert.Equal("org-belnet", e.Organisation);
        Assert.Equal("dns_amplification,syn_flood", e.GetText("extra.vectors"));
        Assert.Equal(200_000, e.GetInteger("extra.peak_pps"));
        Assert.Equal(2_400_000_000, e.GetInteger("extra.peak_bps"));
        Assert.Equal(257_000, e.GetInteger("extra.distinct_sources"));
        Assert.Equal(EventId.Compute("Belfry DDoS detection", "20210504T090000Z-192.0.2.10/started"), e.Id);
    }

    [Fact]
    public void ToEvent_PrefixAttack_DestinationNetwork()
    {
        var a = Sample() with { TargetKind = AttackTargetKind.Prefix, Target = NetPrefix.Parse("192.0.2.0/24"), Vectors = [AttackVector.CarpetBombing, AttackVector.DnsAmplification] };
        var e = AttackEvents.ToEvent(a, AttackEventKind.Ended, a.LastSeen);
        Assert.Equal("carpet_bombing", e.ClassificationIdentifier);
        Assert.Equal("192.0.2.0/24", e.GetText(Fields.DestinationNetwork));
        Assert.False(e.Contains(Fields.DestinationIp));
    }

    [Fact]
    public void ToEvent_Phases_DistinctDeterministicIds()
    {
        var a = Sample();
        var started = AttackEvents.ToEvent(a, AttackEventKind.Started, a.Start);
        Assert.Equal(started.Id, AttackEvents.ToEvent(a, AttackEventKind.Started, a.LastSeen).Id);
        Assert.NotEqual(started.Id, AttackEvents.ToEvent(a, AttackEventKind.Ended, a.Start).Id);
        Assert.NotEqual(AttackEvents.ToEvent(a with { Sequence = 1 }, AttackEventKind.Updated, a.Start).Id,
            AttackEvents.ToEvent(a with { Sequence = 2 }, AttackEventKind.Updated, a.Start).Id);
    }

    [Fact]
    public void ToJsonLine_StartedEvent_OneLineWithTargetVectorsAndTime()
    {
        var line = AttackJson.ToJsonLine(new AttackEvent(AttackEventKind.Started, Sample(), new DateTime(2021, 5, 4, 9, 0, 1, DateTimeKind.Utc)));
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("{\"event\":\"started\",\"time\":\"2021-05-04T09:00:01Z\"", line, StringComparison.Ordinal);
        Assert.Contains("\"target\":\"192.0.2.10\"", line, StringComparison.Ordinal);
        Assert.Contains("\"vectors\":[\"dns_amplification\",\"syn_flood\"]", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AttackVector.DnsAmplification, "dns_amplification", 17, 53)]
    [InlineData(AttackVector.MemcachedAmplification, "memcached_amplification", 17, 11211)]
    [InlineData(AttackVector.ChargenAmplification, "chargen_amplification", 17, 19)]
    [InlineData(AttackVector.SynFlood, "syn_flood", 6, 0)]
    [InlineData(AttackVector.IcmpFlood, "icmp_flood", 1, 0)]
    [InlineData(AttackVector.CarpetBombing, "carpet_bombing", 0, 0)]
    public void Vectors_IdentifierProtocolPort(AttackVector v, string id, byte protocol, ushort port)
    {
        Assert.Equal(id, AttackVectors.Identifier(v));
        Assert.True(AttackVectors.TryParse(id, out var back));
        Assert.Equal(v, back);
        Assert.Equal(protocol, AttackVectors.Protocol(v));
        Assert.Equal(port, AttackVectors.SourcePort(v));
    }
}
