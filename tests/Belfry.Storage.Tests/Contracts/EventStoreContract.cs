using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage.Tests.Contracts;

/// <summary>What every <see cref="IEventStore"/> must do: idempotent writes, TLP clearance, each filter, keyset paging.</summary>
public abstract class EventStoreContract : ContractBase
{
    protected abstract Task<IEventStore> CreateStoreAsync();

    static readonly DateTime s_t0 = new(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One event of the test set, described by its facts (the expected results are read off these, not off the store).</summary>
    public sealed record Spec(int N, string Org, string Feed, string Ip, long Asn, string Type, string Identifier, Tlp Tlp, int Hour, bool HasTimeSource = true);

    static readonly Spec[] s_specs =
    [
        new(0, "org-a", "scan_http", "192.0.2.10", 64500, "vulnerable-system", "accessible-http", Tlp.Clear, 1),
        new(1, "org-a", "scan_http", "192.0.2.200", 64500, "vulnerable-system", "accessible-http", Tlp.Green, 2),
        new(2, "org-b", "scan_http", "198.51.100.7", 64501, "vulnerable-system", "open-redis", Tlp.Amber, 3),
        new(3, "org-b", "blocklist", "203.0.113.5", 64502, "c2-server", "feodo", Tlp.Red, 4),
        new(4, "org-a", "blocklist", "2001:db8::1", 64502, "infected-system", "mirai", Tlp.Amber, 5),
        new(5, "org-c", "blocklist", "2001:db8:1::9", 64503, "infected-system", "mirai", Tlp.Green, 6),
        new(6, "org-c", "phishing", "192.0.2.11", 64500, "phishing", "openphish", Tlp.Clear, 7, HasTimeSource: false),
    ];

    static Event Make(Spec s)
    {
        var raw = $"{s.N},{s.Ip},{s.Feed}";
        var e = new Event { Raw = raw, Organisation = s.Org, Tlp = s.Tlp, Id = EventId.Compute(s.Feed, raw) };
        e.Set(Fields.FeedName, s.Feed);
        if (s.HasTimeSource)
        {
            e.Set(Fields.TimeSource, s_t0.AddHours(s.Hour));
            e.Set(Fields.TimeObservation, s_t0.AddDays(10));
        }
        else
        {
            // No time.source: the query's time is the observation time.
            e.Set(Fields.TimeObservation, s_t0.AddHours(s.Hour));
        }
        e.Set(Fields.SourceIp, NetAddress.Parse(s.Ip));
        e.Set(Fields.SourceAsn, s.Asn);
        e.Set(Fields.ClassificationType, s.Type);
        e.Set(Fields.ClassificationIdentifier, s.Identifier);
        return e;
    }

    async Task<IEventStore> FilledAsync()
    {
        var store = await CreateStoreAsync();
        await store.StoreEventsAsync([.. s_specs.Select(Make)], Ct);
        return store;
    }

    static async Task<int[]> Numbers(IEventStore store, EventQuery q)
    {
        var ids = s_specs.ToDictionary(s => Make(s).Id, s => s.N);
        var list = new List<int>();
        await foreach (var e in store.QueryEventsAsync(q, Ct))
        {
            list.Add(ids[e.Id]);
        }
        return [.. list.Order()];
    }

    public static TheoryData<string, EventQuery, int[]> Filters() => new()
    {
        { "organisation", new EventQuery { Organisation = "org-a" }, [0, 1, 4] },
        { "feed", new EventQuery { Feed = "blocklist" }, [3, 4, 5] },
        { "host address v4", new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.10/32") }, [0] },
        { "prefix v4", new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.0/24") }, [0, 1, 6] },
        { "prefix v4 /25", new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.0/25") }, [0, 6] },
        { "prefix v6", new EventQuery { SourcePrefix = NetPrefix.Parse("2001:db8::/32") }, [4, 5] },
        { "prefix v6 /48", new EventQuery { SourcePrefix = NetPrefix.Parse("2001:db8:1::/48") }, [5] },
        { "asn", new EventQuery { SourceAsn = 64502 }, [3, 4] },
        { "taxonomy", new EventQuery { Taxonomy = "malicious-code" }, [3, 4, 5] },
        { "type", new EventQuery { ClassificationType = "infected-system" }, [4, 5] },
        { "identifier", new EventQuery { Identifier = "mirai" }, [4, 5] },
        { "since (time.source)", new EventQuery { Since = s_t0.AddHours(5) }, [4, 5, 6] },
        { "until (exclusive)", new EventQuery { Until = s_t0.AddHours(3) }, [0, 1] },
        { "range, observation when no time.source", new EventQuery { Since = s_t0.AddHours(6), Until = s_t0.AddHours(8) }, [5, 6] },
        { "clearance green", new EventQuery { Clearance = Tlp.Green }, [0, 1, 5, 6] },
        { "clearance clear", new EventQuery { Clearance = Tlp.Clear }, [0, 6] },
        { "combined", new EventQuery { Organisation = "org-a", Feed = "scan_http", SourcePrefix = NetPrefix.Parse("192.0.2.0/24"), Clearance = Tlp.Clear }, [0] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Query_Filter_ReturnsExactlyTheMatchingEvents(string filter, EventQuery query, int[] expected)
    {
        var store = await FilledAsync();
        Assert.False(string.IsNullOrEmpty(filter));
        Assert.Equal(expected, await Numbers(store, query));
        Assert.Equal(expected.Length, await store.CountEventsAsync(query, Ct));
    }

    [Fact]
    public async Task StoreEvents_SameBatchTwice_StoresOnce()
    {
        var store = await CreateStoreAsync();
        var batch = s_specs.Select(Make).ToList();
        Assert.Equal(new StoreResult(7, 0), await store.StoreEventsAsync(batch, Ct));
        Assert.Equal(new StoreResult(0, 7), await store.StoreEventsAsync([.. s_specs.Select(Make)], Ct));
        Assert.Equal(7, await store.CountEventsAsync(new EventQuery(), Ct));
    }

    [Fact]
    public async Task QueryPage_RowsArriveBetweenPages_NoDuplicatesNoGaps()
    {
        var store = await CreateStoreAsync();
        static Event Numbered(int i)
        {
            var raw = "row " + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var e = new Event { Raw = raw, Organisation = "org-a", Tlp = Tlp.Green, Id = EventId.Compute("paging", raw) };
            e.Set(Fields.FeedName, "paging");
            e.Set(Fields.TimeObservation, s_t0.AddSeconds(i));
            e.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
            return e;
        }
        await store.StoreEventsAsync([.. Enumerable.Range(0, 25).Select(Numbered)], Ct);
        var query = new EventQuery { Organisation = "org-a", SourcePrefix = NetPrefix.Parse("192.0.2.0/24") };
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        var next = 25;
        do
        {
            var page = await store.QueryEventPageAsync(query, 10, cursor, Ct);
            Assert.InRange(page.Events.Count, 1, 10);
            seen.AddRange(page.Events.Select(e => e.Raw!));
            cursor = page.NextCursor;
            pages++;
            if (pages <= 2)
            {
                // New rows arrive while the reader pages: they come after what was already read.
                await store.StoreEventsAsync([Numbered(next++), Numbered(next++), Numbered(next++)], Ct);
            }
        }
        while (cursor is not null);
        var expected = Enumerable.Range(0, next).Select(i => "row " + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task QueryPage_WithResidualFilter_FillsPagesAndEnds()
    {
        var store = await FilledAsync();
        var query = new EventQuery { Identifier = "mirai" };
        var first = await store.QueryEventPageAsync(query, 1, null, Ct);
        Assert.Single(first.Events);
        Assert.NotNull(first.NextCursor);
        var second = await store.QueryEventPageAsync(query, 1, first.NextCursor, Ct);
        Assert.Single(second.Events);
        Assert.Null(second.NextCursor);
        Assert.NotEqual(first.Events[0].Id, second.Events[0].Id);
    }
}
