using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests;

public sealed class DeduplicatorExpertTests
{
    static readonly DateTime s_t0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    static Event Make(string ip, DateTime? time, int port = 443, string feed = "scanners", string? observation = null)
    {
        var e = new Event();
        e.Set(Fields.FeedName, feed);
        e.Set(Fields.ClassificationType, "scanner");
        e.Set(Fields.SourceIp, NetAddress.Parse(ip));
        e.Set(Fields.SourcePort, port);
        if (time is { } t)
        {
            e.Set(Fields.TimeSource, t);
        }
        if (observation is not null)
        {
            e.Set(Fields.TimeObservation, DateTime.Parse(observation, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal));
        }
        return e;
    }

    [Fact]
    public void Process_SameKeyWithinWindow_DropsDuplicate()
    {
        var expert = new DeduplicatorExpert();
        var first = Make("192.0.2.1", s_t0);
        var batch = new List<Event> { first, Make("192.0.2.1", s_t0.AddHours(23)), Make("192.0.2.2", s_t0) };

        expert.Process(batch);

        Assert.Equal(2, batch.Count);
        Assert.Same(first, batch[0]);
        Assert.Equal(NetAddress.Parse("192.0.2.2"), batch[1].SourceIp);
        Assert.Equal(3, expert.Processed);
        Assert.Equal(1, expert.Dropped);
    }

    [Fact]
    public void Process_ListFeedsWithoutAddresses_KeepDistinctNetworksAndAsns()
    {
        // DROP lists name networks, ASN-DROP names AS numbers: neither has source.ip.
        Event Drop(string network, long? asn = null)
        {
            var e = new Event();
            e.Set(Fields.FeedName, "Spamhaus drop feed");
            e.Set(Fields.ClassificationType, "spam");
            e.Set(Fields.TimeSource, s_t0);
            if (asn is { } a)
            {
                e.Set(Fields.SourceAsn, a);
            }
            else
            {
                e.Set(Fields.SourceNetwork, FieldValue.Of(NetPrefix.Parse(network)));
            }
            return e;
        }
        var expert = new DeduplicatorExpert();
        var batch = new List<Event> { Drop("192.0.2.0/24"), Drop("198.51.100.0/24"), Drop("192.0.2.0/24"), Drop("", 64500), Drop("", 64501) };

        expert.Process(batch);

        Assert.Equal(4, batch.Count);
        Assert.Equal(1, expert.Dropped);
    }

    [Fact]
    public void Process_SameKeyOutsideWindow_KeepsBoth()
    {
        var expert = new DeduplicatorExpert();
        var batch = new List<Event> { Make("192.0.2.1", s_t0), Make("192.0.2.1", s_t0.AddHours(24).AddSeconds(1)) };

        expert.Process(batch);

        Assert.Equal(2, batch.Count);
        Assert.Equal(0, expert.Dropped);
    }

    [Fact]
    public void Process_DuplicateAcrossBatches_IsDropped()
    {
        var expert = new DeduplicatorExpert();
        expert.Process([Make("192.0.2.1", s_t0)]);
        var second = new List<Event> { Make("192.0.2.1", s_t0.AddMinutes(5)) };

        expert.Process(second);

        Assert.Empty(second);
    }

    [Fact]
    public void Process_DuplicateDoesNotExtendWindow()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromHours(1) });
        var batch = new List<Event>
        {
            Make("192.0.2.1", s_t0),
            Make("192.0.2.1", s_t0.AddMinutes(50)), // duplicate of the first
            Make("192.0.2.1", s_t0.AddMinutes(70)), // 70 min after the kept one: new
        };

        expert.Process(batch);

        Assert.Equal(2, batch.Count);
        Assert.Equal(s_t0.AddMinutes(70), batch[1].TimeSource);
    }

    [Fact]
    public void Process_DifferentKeyField_IsNotDuplicate()
    {
        var expert = new DeduplicatorExpert();
        var batch = new List<Event>
        {
            Make("192.0.2.1", s_t0),
            Make("192.0.2.1", s_t0, port: 80),
            Make("192.0.2.1", s_t0, feed: "other-feed"),
            Make("2001:db8::1", s_t0),
        };

        expert.Process(batch);

        Assert.Equal(4, batch.Count);
    }

    [Fact]
    public void Process_FieldOutsideKey_IsIgnored()
    {
        var expert = new DeduplicatorExpert();
        var a = Make("192.0.2.1", s_t0);
        a.Set(Fields.SourceAsName, "one");
        var b = Make("192.0.2.1", s_t0);
        b.Set(Fields.SourceAsName, "two");
        var batch = new List<Event> { a, b };

        expert.Process(batch);

        Assert.Single(batch);
    }

    [Fact]
    public void Process_MissingFieldVersusEmptyText_AreDifferentKeys()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { KeyFields = [Fields.SourceFqdn] });
        var empty = new Event();
        empty.Set(Fields.SourceFqdn, string.Empty);
        empty.Set(Fields.TimeSource, s_t0);
        var missing = new Event();
        missing.Set(Fields.TimeSource, s_t0);
        var batch = new List<Event> { empty, missing };

        expert.Process(batch);

        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void Process_NoTimeSource_UsesTimeObservation()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromHours(1) });
        var batch = new List<Event>
        {
            Make("192.0.2.1", null, observation: "2025-03-01T12:00:00Z"),
            Make("192.0.2.1", null, observation: "2025-03-01T12:30:00Z"),
            Make("192.0.2.1", null, observation: "2025-03-01T14:00:00Z"),
        };

        expert.Process(batch);

        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void Process_NoTimeAtAll_UsesClock()
    {
        var clock = new ManualClock(new DateTimeOffset(s_t0));
        var expert = new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromMinutes(10) }, clock);
        var first = new List<Event> { Make("192.0.2.1", null), Make("192.0.2.1", null) };
        expert.Process(first);
        clock.Now = clock.Now.AddMinutes(11);
        var later = new List<Event> { Make("192.0.2.1", null) };

        expert.Process(later);

        Assert.Single(first);
        Assert.Single(later);
    }

    [Fact]
    public void Process_MaxEntries_BoundsMemoryAndForgetsOldest()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { MaxEntries = 3 });
        var batch = new List<Event>();
        for (var i = 1; i <= 5; i++)
        {
            batch.Add(Make($"192.0.2.{i}", s_t0.AddSeconds(i)));
        }
        expert.Process(batch);
        Assert.Equal(3, expert.Count);
        Assert.Equal(2, expert.Evicted);

        // .1 and .2 were forgotten (oldest); .3 to .5 are still remembered.
        var remembered = new List<Event> { Make("192.0.2.3", s_t0.AddMinutes(1)), Make("192.0.2.4", s_t0.AddMinutes(1)), Make("192.0.2.5", s_t0.AddMinutes(1)) };
        expert.Process(remembered);
        Assert.Empty(remembered);
        var forgotten = new List<Event> { Make("192.0.2.1", s_t0.AddMinutes(1)), Make("192.0.2.2", s_t0.AddMinutes(1)) };
        expert.Process(forgotten);
        Assert.Equal(2, forgotten.Count);
        Assert.Equal(3, expert.Count);
    }

    [Fact]
    public void Process_ManyDistinctKeys_NeverExceedsMaxEntries()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { MaxEntries = 100 });
        var random = new Random(4242);
        for (var round = 0; round < 50; round++)
        {
            var batch = new List<Event>();
            for (var i = 0; i < 100; i++)
            {
                batch.Add(Make($"10.0.{random.Next(0, 4)}.{random.Next(0, 256)}", s_t0.AddSeconds(round)));
            }
            expert.Process(batch);
            Assert.True(expert.Count <= 100, $"round {round}: {expert.Count} keys");
        }
        Assert.Equal(5000, expert.Processed);
    }

    [Fact]
    public void Process_OldKeysBehindNewest_AreExpired()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromHours(1) });
        expert.Process([Make("192.0.2.1", s_t0), Make("192.0.2.2", s_t0)]);
        Assert.Equal(2, expert.Count);

        expert.Process([Make("192.0.2.3", s_t0.AddHours(3))]);

        Assert.Equal(1, expert.Count);
        Assert.Equal(0, expert.Evicted);
    }

    [Fact]
    public void ComputeKey_SameValuesInDifferentOrder_SameKey()
    {
        var expert = new DeduplicatorExpert();
        var a = new Event();
        a.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
        a.Set(Fields.FeedName, "f");
        var b = new Event();
        b.Set(Fields.FeedName, "f");
        b.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
        var c = new Event();
        c.Set(Fields.FeedName, "f");
        c.Set(Fields.DestinationIp, NetAddress.Parse("192.0.2.1"));

        Assert.Equal(expert.ComputeKey(a), expert.ComputeKey(b));
        Assert.NotEqual(expert.ComputeKey(a), expert.ComputeKey(c));
    }

    [Fact]
    public void ComputeKey_CustomKeyFieldNotInterned_MatchesConstant()
    {
        var name = new string("feed.name".AsSpan());
        var expert = new DeduplicatorExpert(new DedupOptions { KeyFields = [name] });
        var a = new Event();
        a.Set(Fields.FeedName, "one");
        var b = new Event();
        b.Set(Fields.FeedName, "two");

        Assert.NotEqual(expert.ComputeKey(a), expert.ComputeKey(b));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeduplicatorExpert(new DedupOptions { MaxEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeduplicatorExpert(new DedupOptions { KeyFields = [] }));
    }

    sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
