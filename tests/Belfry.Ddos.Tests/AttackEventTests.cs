using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Tests;

// The store tests of attacks are in Belfry.Storage.Tests (AttackStoreContract): attacks live in the deployment database.
public class AttackEventTests
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
