using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage.Tests;

public class SqliteStoreTests
{
    static readonly DateTime s_observed = new(2026, 11, 30, 10, 0, 0, DateTimeKind.Utc);

    static Event MakeEvent(int i, string? org = null, Tlp tlp = Tlp.Amber)
    {
        var raw = $"\"2026-11-30 00:00:{i % 60:D2}\",\"192.0.2.{i % 250}\",\"tcp\",{8000 + i}";
        var e = new Event { Raw = raw, Organisation = org, Tlp = tlp, Id = EventId.Compute("Accessible-HTTP", raw) };
        e.Set(Fields.FeedName, "Accessible-HTTP");
        e.Set(Fields.TimeSource, new DateTime(2026, 11, 30, 0, 0, i % 60, DateTimeKind.Utc));
        e.Set(Fields.TimeObservation, s_observed);
        e.Set(Fields.SourceIp, NetAddress.Parse($"192.0.2.{i % 250}"));
        e.Set(Fields.SourcePort, 8000 + i);
        e.Set(Fields.ClassificationType, "vulnerable-system");
        e.Set("extra.http_code", 200);
        e.Set(Fields.SourceNetwork, FieldValue.Of(NetPrefix.Parse("2001:db8::/32")));
        e.Set("extra.ratio", FieldValue.Of(0.25));
        e.Set("extra.open", FieldValue.Of(true));
        return e;
    }

    [Fact]
    public async Task StoreEventsAsync_SameBatchTwice_StoresOnce()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var batch = Enumerable.Range(0, 100).Select(i => MakeEvent(i)).ToList();

        var first = await db.Store.StoreEventsAsync(batch);
        var second = await db.Store.StoreEventsAsync(batch);

        Assert.Equal(new StoreResult(100, 0), first);
        Assert.Equal(new StoreResult(0, 100), second);
        Assert.Equal(100, await db.Store.CountEventsAsync(new EventQuery()));
    }

    [Fact]
    public async Task QueryEventsAsync_RoundTrip_KeepsEveryFieldAndKind()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var original = MakeEvent(7, org: "0203000016");
        await db.Store.StoreEventsAsync([original]);

        var back = Assert.Single(await db.Store.QueryEventsAsync(new EventQuery()).ToListAsync());

        Assert.Equal(original.Id, back.Id);
        Assert.Equal(original.Raw, back.Raw);
        Assert.Equal("0203000016", back.Organisation);
        Assert.Equal(Tlp.Amber, back.Tlp);
        Assert.Equal(original.Count, back.Count);
        foreach (var (name, value) in original.Items)
        {
            Assert.True(back.TryGet(name, out var v), name);
            Assert.Equal(value, v);
        }
        Assert.Equal("192.0.2.7", back.GetText(Fields.SourceIp));
        Assert.Equal("2001:db8::/32", back.GetText(Fields.SourceNetwork));
    }

    [Fact]
    public async Task QueryEventsAsync_Clearance_HidesMoreRestrictedEvents()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        await db.Store.StoreEventsAsync([MakeEvent(1, tlp: Tlp.Clear), MakeEvent(2, tlp: Tlp.Amber), MakeEvent(3, tlp: Tlp.Red)]);

        Assert.Equal(1, await db.Store.CountEventsAsync(new EventQuery { Clearance = Tlp.Green }));
        Assert.Equal(2, await db.Store.CountEventsAsync(new EventQuery { Clearance = Tlp.AmberStrict }));
        Assert.Equal(3, await db.Store.CountEventsAsync(new EventQuery { Clearance = Tlp.Red }));
    }

    [Fact]
    public async Task RecordNotificationAsync_MarksOnlyThatOrganisationsEvents()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var a = MakeEvent(1, org: "A");
        var b = MakeEvent(2, org: "B");
        await db.Store.StoreEventsAsync([a, b]);

        // Even if handed a foreign id, only org A's events are marked.
        await db.Store.RecordNotificationAsync(new NotificationRecord("A", s_observed, "smtp", "soc@a.example", "digest", 1, "<m1@belfry>"), [a.Id, b.Id]);

        Assert.Equal(0, await db.Store.CountEventsAsync(new EventQuery { Organisation = "A", OnlyUnnotified = true }));
        Assert.Equal(1, await db.Store.CountEventsAsync(new EventQuery { Organisation = "B", OnlyUnnotified = true }));
        var sent = Assert.Single(await db.Store.QueryNotificationsAsync("A").ToListAsync());
        Assert.Equal("<m1@belfry>", sent.MessageId);
        Assert.Empty(await db.Store.QueryNotificationsAsync("B").ToListAsync());
    }

    [Fact]
    public async Task StoreRejectionsAsync_KeepsFeedFileLineRawAndReason()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        await db.Store.StoreRejectionsAsync([new QuarantinedRecord(0, s_observed, "Accessible-HTTP", "scan_http.csv", 42, "garbage", "invalid source.ip: 'x'")]);

        var q = Assert.Single(await db.Store.QueryQuarantineAsync(10).ToListAsync());
        Assert.Equal(("Accessible-HTTP", "scan_http.csv", 42L, "garbage", "invalid source.ip: 'x'"), (q.Feed, q.File, q.Line, q.Raw, q.Reason));
        Assert.Equal(1, await db.Store.CountQuarantineAsync());
    }

    [Fact]
    public async Task UpsertOrganisationsAsync_RoundTripsAndUpdates()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var org = new Organisation
        {
            Id = "0203000016",
            Name = "Example Hospital",
            Sector = "health",
            EntityClass = EntityClass.Essential,
            Language = Language.Fr,
            Contacts = [new Contact("csirt@hospital.example", "security")],
            Prefixes = [NetPrefix.Parse("192.0.2.0/24"), NetPrefix.Parse("2001:db8:1::/48")],
            Asns = [64500],
            Domains = ["hospital.example"],
        };
        await db.Store.UpsertOrganisationsAsync([org], "test");
        await db.Store.UpsertOrganisationsAsync([org with { Name = "Example University Hospital" }], "test");

        var back = Assert.Single(await db.Store.GetOrganisationsAsync());
        Assert.Equal("Example University Hospital", back.Name);
        Assert.Equal(Language.Fr, back.Language);
        Assert.Equal(EntityClass.Essential, back.EntityClass);
        Assert.Equal(org.Prefixes, back.Prefixes);
        Assert.Equal(org.Asns, back.Asns);
        Assert.Equal(org.Domains, back.Domains);
        Assert.Equal(org.Contacts, back.Contacts);
    }

    [Fact]
    public void EventCodec_TruncatedData_ReturnsFalseInsteadOfThrowing()
    {
        var bytes = EventCodec.Encode(MakeEvent(3));
        for (var n = 0; n < bytes.Length; n++)
        {
            var ok = EventCodec.TryDecode(bytes.AsSpan(0, n), new Event());
            Assert.False(ok && n < 2, $"length {n}");
        }
        Assert.True(EventCodec.TryDecode(bytes, new Event()));
    }

    [Fact]
    public async Task QueryEventsAsync_AfterReopen_DecodesWithStoredSymbols()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var original = MakeEvent(5, org: "A");
        await db.Store.StoreEventsAsync([original]);

        await using var reopened = new Belfry.Storage.Sqlite.SqliteStore(db.Store.DatabasePath);
        await reopened.InitializeAsync();
        var back = Assert.Single(await reopened.QueryEventsAsync(new EventQuery()).ToListAsync());
        Assert.Equal(original.Items, back.Items);
        var second = MakeEvent(6, org: "A");
        second.Set("extra.new_field", "only in the second store");
        Assert.Equal(new StoreResult(1, 1), await reopened.StoreEventsAsync([second, original]));
        Assert.Equal(second.Items, (await reopened.QueryEventsAsync(new EventQuery()).ToListAsync())[1].Items);
    }

    [Fact]
    public async Task StoreEventsAsync_TwoWritersOnOneFile_KeepSymbolsConsistent()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        await using var other = new Belfry.Storage.Sqlite.SqliteStore(db.Store.DatabasePath);
        await other.InitializeAsync();
        var a = MakeEvent(1);
        a.Set("extra.only_a", "a");
        var b = MakeEvent(2);
        b.Set("extra.only_b", "b");
        await db.Store.StoreEventsAsync([a]);
        await other.StoreEventsAsync([b]);
        var c = MakeEvent(3);
        c.Set("extra.only_c", "c");
        await db.Store.StoreEventsAsync([c]);

        foreach (var store in new[] { db.Store, other })
        {
            var back = await store.QueryEventsAsync(new EventQuery()).ToListAsync();
            Assert.Equal(3, back.Count);
            Assert.Equal(a.Items, back[0].Items);
            Assert.Equal(b.Items, back[1].Items);
            Assert.Equal(c.Items, back[2].Items);
        }
    }
}
