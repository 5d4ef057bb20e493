using Belfry.Core.Events;

namespace Belfry.Storage.Tests.Contracts;

/// <summary>What every <see cref="INotificationStore"/> must do: record a sent digest and mark its events, atomically.</summary>
public abstract class NotificationStoreContract : ContractBase
{
    /// <summary>A store of notifications and of the events they mark.</summary>
    protected abstract Task<IBelfryStore> CreateStoreAsync();

    static Event Make(int i, string org)
    {
        var raw = "n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var e = new Event { Raw = raw, Organisation = org, Tlp = Tlp.Amber, Id = EventId.Compute("notify", raw) };
        e.Set(Fields.FeedName, "notify");
        e.Set(Fields.TimeObservation, new DateTime(2026, 12, 1, 0, 0, i, DateTimeKind.Utc));
        return e;
    }

    [Fact]
    public async Task RecordNotification_MarksOnlyItsEventsOfItsOrganisation()
    {
        var store = await CreateStoreAsync();
        var a = Enumerable.Range(0, 4).Select(i => Make(i, "org-a")).ToList();
        var b = Make(9, "org-b");
        await store.StoreEventsAsync([.. a, b], Ct);
        var sent = new NotificationRecord("org-a", new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc), "smtp", "csirt@a.example", "Digest", 2, "<1@belfry>");

        // org-b's event is named too, but a digest of org-a cannot mark it.
        await store.RecordNotificationAsync(sent, [a[0].Id, a[1].Id, b.Id], Ct);

        Assert.Equal(2, await store.CountEventsAsync(new EventQuery { Organisation = "org-a", OnlyUnnotified = true }, Ct));
        Assert.Equal(1, await store.CountEventsAsync(new EventQuery { Organisation = "org-b", OnlyUnnotified = true }, Ct));
        var records = new List<NotificationRecord>();
        await foreach (var n in store.QueryNotificationsAsync("org-a", Ct))
        {
            records.Add(n);
        }
        Assert.Equal(sent, Assert.Single(records));
        await foreach (var n in store.QueryNotificationsAsync("org-b", Ct))
        {
            Assert.Fail("org-b has no notification: " + n);
        }
    }
}
