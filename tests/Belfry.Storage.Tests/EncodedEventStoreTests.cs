using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage.Tests;

/// <summary>The pre-encoded write path (<see cref="IEncodedEventStore"/>) must store exactly what <see cref="IEventStore.StoreEventsAsync"/> stores.</summary>
public class EncodedEventStoreTests
{
    static readonly DateTime s_observed = new(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc);

    static Event MakeEvent(int i, string? org = null, Tlp tlp = Tlp.Amber, string feed = "Accessible-HTTP")
    {
        var raw = $"\"2026-11-30 00:00:{i % 60:D2}\",\"192.0.2.{i % 250}\",\"tcp\",{8000 + i},é€😀";
        var e = new Event { Raw = raw, Organisation = org, Tlp = tlp, Id = EventId.Compute(feed, raw) };
        e.Set(Fields.FeedName, feed);
        e.Set(Fields.TimeSource, new DateTime(2026, 11, 30, 0, 0, i % 60, DateTimeKind.Utc).AddTicks(i % 3));
        e.Set(Fields.TimeObservation, s_observed);
        e.Set(Fields.SourceIp, NetAddress.Parse($"192.0.2.{i % 250}"));
        e.Set(Fields.DestinationIp, NetAddress.Parse("2001:db8::1"));
        e.Set(Fields.SourcePort, 8000 + i);
        e.Set(Fields.ClassificationType, "vulnerable-system");
        e.Set("extra.http_code", -200 - i);
        e.Set(Fields.SourceNetwork, FieldValue.Of(NetPrefix.Parse("2001:db8::/32")));
        e.Set(Fields.DestinationNetwork, FieldValue.Of(NetPrefix.Parse("198.51.100.0/24")));
        e.Set("extra.ratio", FieldValue.Of(0.25));
        e.Set("extra.open", FieldValue.Of(i % 2 == 0));
        e.Set("extra.text", new string('x', 200 + i) + "ü");
        e.Set("extra.tag", "tag-" + (i % 3));
        return e;
    }

    static async Task<StoreResult> StoreEncodedAsync(Sqlite.SqliteStore store, EventRowEncoder encoder, IEnumerable<Event> events)
    {
        var batch = new EncodedEventBatch(64);
        foreach (var e in events)
        {
            encoder.Append(e, batch);
        }
        return await store.StoreEncodedAsync([batch]);
    }

    static void AssertSame(Event expected, Event actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Raw, actual.Raw);
        Assert.Equal(expected.Organisation, actual.Organisation);
        Assert.Equal(expected.Tlp, actual.Tlp);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (name, value) in expected.Items)
        {
            Assert.True(actual.TryGet(name, out var v), name);
            Assert.Equal(value, v);
            Assert.Equal(value.Kind, v.Kind);
        }
    }

    [Fact]
    public async Task StoreEncodedAsync_RoundTrip_KeepsEveryFieldAndKind()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var encoder = await db.Store.CreateRowEncoderAsync();
        var events = Enumerable.Range(0, 50).Select(i => MakeEvent(i, org: i % 2 == 0 ? "0203000016" : null, tlp: (Tlp)(i % 4))).ToList();
        events.Add(new Event { Id = EventId.Compute("x", "no fields") });

        Assert.Equal(new StoreResult(51, 0), await StoreEncodedAsync(db.Store, encoder, events));

        var back = await db.Store.QueryEventsAsync(new EventQuery()).ToListAsync();
        Assert.Equal(events.Count, back.Count);
        for (var i = 0; i < events.Count; i++)
        {
            AssertSame(events[i], back[i]);
        }
        Assert.Equal(25, await db.Store.CountEventsAsync(new EventQuery { Organisation = "0203000016" }));
        Assert.Equal(50, await db.Store.CountEventsAsync(new EventQuery { Feed = "Accessible-HTTP" }));
    }

    [Fact]
    public async Task StoreEncodedAsync_SameRowsTwiceOrViaEvents_StoresOnce()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var encoder = await db.Store.CreateRowEncoderAsync();
        var events = Enumerable.Range(0, 100).Select(i => MakeEvent(i)).ToList();

        Assert.Equal(new StoreResult(100, 0), await StoreEncodedAsync(db.Store, encoder, events));
        Assert.Equal(new StoreResult(0, 100), await StoreEncodedAsync(db.Store, encoder, events));
        Assert.Equal(new StoreResult(0, 100), await db.Store.StoreEventsAsync(events));
        Assert.Equal(new StoreResult(10, 100), await StoreEncodedAsync(db.Store, encoder, Enumerable.Range(0, 110).Select(i => MakeEvent(i))));
        Assert.Equal(110, await db.Store.CountEventsAsync(new EventQuery()));
    }

    [Fact]
    public async Task StoreEncodedAsync_SymbolsAddedElsewhereMeanwhile_ReencodesAndDecodes()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var encoder = await db.Store.CreateRowEncoderAsync();
        var batch = new EncodedEventBatch(64);
        encoder.Append(MakeEvent(1, feed: "Feed-A"), batch);

        // The event path takes the symbol ids the encoder has already given away.
        await db.Store.StoreEventsAsync([MakeEvent(2, feed: "Feed-B")]);
        Assert.Equal(new StoreResult(1, 0), await db.Store.StoreEncodedAsync([batch]));
        Assert.Equal(new StoreResult(1, 0), await StoreEncodedAsync(db.Store, encoder, [MakeEvent(3, feed: "Feed-A")]));

        // A second store on the same file (a fresh process) decodes everything.
        await using var reopened = new Sqlite.SqliteStore(db.Store.DatabasePath);
        await reopened.InitializeAsync();
        var back = await reopened.QueryEventsAsync(new EventQuery()).ToListAsync();
        Assert.Equal(3, back.Count);
        AssertSame(MakeEvent(2, feed: "Feed-B"), back[0]);
        AssertSame(MakeEvent(1, feed: "Feed-A"), back[1]);
        AssertSame(MakeEvent(3, feed: "Feed-A"), back[2]);
    }

    [Fact]
    public async Task StoreEncodedAsync_FailingProducer_RollsBackAndLaterBatchesStillDecode()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var encoder = await db.Store.CreateRowEncoderAsync();
        var first = new EncodedEventBatch(64);
        encoder.Append(MakeEvent(1, feed: "Feed-A"), first);

        IEnumerable<EncodedEventBatch> Failing()
        {
            yield return first;
            throw new InvalidOperationException("parser failed");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.Store.StoreEncodedAsync(Failing()));
        Assert.Equal(0, await db.Store.CountEventsAsync(new EventQuery()));

        // The rolled-back symbols come again with the next rows of the same encoder.
        Assert.Equal(new StoreResult(1, 0), await StoreEncodedAsync(db.Store, encoder, [MakeEvent(2, feed: "Feed-A")]));
        await using var reopened = new Sqlite.SqliteStore(db.Store.DatabasePath);
        await reopened.InitializeAsync();
        AssertSame(MakeEvent(2, feed: "Feed-A"), Assert.Single(await reopened.QueryEventsAsync(new EventQuery()).ToListAsync()));
    }
}
