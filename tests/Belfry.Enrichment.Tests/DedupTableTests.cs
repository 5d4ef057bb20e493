using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests;

/// <summary>DeduplicatorExpert's DedupTable against the Dictionary-based reference, decision by decision.</summary>
public sealed class DedupTableTests
{
    static readonly DateTime s_t0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    static Event Make(int host, DateTime time)
    {
        var e = new Event();
        e.Set(Fields.FeedName, "scanners");
        e.Set(Fields.SourceIp, NetAddress.FromV4(0xC0000200u + (uint)host));
        e.Set(Fields.TimeSource, time);
        return e;
    }

    [Theory]
    [InlineData(1, 1, 10, 3, 1)]
    [InlineData(2, 7, 20, 60, 5)]
    [InlineData(3, 50, 200, 600, 2)]
    [InlineData(4, 100, 40, 30, 30)]
    [InlineData(5, 5000, 20000, 3600, 1)]
    [InlineData(6, 3, 3, 0, 1)]
    public void IsDuplicate_RandomStreams_SameAsReference(int seed, int maxEntries, int hosts, int windowSeconds, int stepSeconds)
    {
        var options = new DedupOptions { MaxEntries = maxEntries, Window = TimeSpan.FromSeconds(windowSeconds) };
        var expert = new DeduplicatorExpert(options);
        var reference = new ReferenceDeduplicator(options);
        var random = new Random(seed);
        var clock = 0L;
        for (var i = 0; i < 40_000; i++)
        {
            // Mostly forward with jitter around the window edges, sometimes a jump ahead or back.
            clock += random.Next(0, stepSeconds + 1);
            var offset = random.Next(8) switch
            {
                0 => -windowSeconds,
                1 => windowSeconds,
                2 => windowSeconds + 1,
                3 => -3 * windowSeconds - 1,
                4 => 3 * windowSeconds + 1,
                _ => random.Next(-windowSeconds - 1, windowSeconds + 2),
            };
            var time = s_t0.AddSeconds(clock + offset);
            var e = Make(random.Next(hosts), time);
            var expected = reference.IsDuplicate(e);
            var actual = expert.IsDuplicate(e);
            Assert.True(expected == actual, $"seed {seed}, event {i}: reference {expected}, table {actual}");
            Assert.True(reference.Count == expert.Count, $"seed {seed}, event {i}: reference {reference.Count} keys, table {expert.Count}");
            Assert.True(reference.Evicted == expert.Evicted, $"seed {seed}, event {i}: reference evicted {reference.Evicted}, table {expert.Evicted}");
            Assert.True(expert.Count <= maxEntries);
        }
    }

    [Theory]
    [InlineData(11, 50, 200, 60, 2)]
    [InlineData(12, 1000, 3000, 600, 1)]
    public void Process_Batches_SameAsReferenceEventByEvent(int seed, int maxEntries, int hosts, int windowSeconds, int stepSeconds)
    {
        var options = new DedupOptions { MaxEntries = maxEntries, Window = TimeSpan.FromSeconds(windowSeconds) };
        var expert = new DeduplicatorExpert(options);
        var reference = new ReferenceDeduplicator(options);
        var random = new Random(seed);
        var clock = 0L;
        for (var round = 0; round < 200; round++)
        {
            var batch = new List<Event>();
            var expected = new List<Event>();
            for (var i = random.Next(0, 300); i > 0; i--)
            {
                clock += random.Next(0, stepSeconds + 1);
                var e = Make(random.Next(hosts), s_t0.AddSeconds(clock + random.Next(-windowSeconds - 1, windowSeconds + 2)));
                batch.Add(e);
                if (!reference.IsDuplicate(e))
                {
                    expected.Add(e);
                }
            }
            expert.Process(batch);
            Assert.Equal(expected, batch);
            Assert.Equal(reference.Count, expert.Count);
            Assert.Equal(reference.Evicted, expert.Evicted);
        }
    }

    [Fact]
    public void IsDuplicate_ExactlyAtWindowEdge_IsDuplicate_OneTickPast_IsNot()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { Window = TimeSpan.FromHours(1) });
        Assert.False(expert.IsDuplicate(Make(1, s_t0)));
        Assert.True(expert.IsDuplicate(Make(1, s_t0.AddHours(1))));
        Assert.True(expert.IsDuplicate(Make(1, s_t0.AddHours(-1))));
        Assert.False(expert.IsDuplicate(Make(1, s_t0.AddHours(1).AddTicks(1))));
        // Re-armed at +1h+1tick: now the edge is measured from there.
        Assert.True(expert.IsDuplicate(Make(1, s_t0.AddTicks(1))));
        Assert.False(expert.IsDuplicate(Make(1, s_t0)));
    }

    [Fact]
    public void IsDuplicate_KeysUpToTheBound_AllRemembered()
    {
        var expert = new DeduplicatorExpert(new DedupOptions { MaxEntries = 100_000 });
        for (var i = 0; i < 100_000; i++)
        {
            Assert.False(expert.IsDuplicate(Make(i, s_t0)));
        }
        Assert.Equal(100_000, expert.Count);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(expert.IsDuplicate(Make(i, s_t0)));
        }
        Assert.False(expert.IsDuplicate(Make(100_000, s_t0)));
        Assert.Equal(1, expert.Evicted);
        Assert.Equal(100_000, expert.Count);
    }

    [Fact]
    public void Constructor_BoundPastTableLimit_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeduplicatorExpert(new DedupOptions { MaxEntries = DedupTable.MaxSupportedEntries + 1 }));
}
