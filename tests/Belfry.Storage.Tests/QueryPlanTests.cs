using Belfry.Core.Net;
using Belfry.Storage.Sqlite;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous anyway.

namespace Belfry.Storage.Tests;

/// <summary>The common event queries of the web use an index, not a scan of the events table (EXPLAIN QUERY PLAN).</summary>
public class QueryPlanTests
{
    public static TheoryData<string, EventQuery> Queries() => new()
    {
        { "events_org_time", new EventQuery { Organisation = "org-a", Since = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc) } },
        { "events_feed_time", new EventQuery { Feed = "scan_http", Since = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), Until = new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc) } },
        { "events_source_ip", new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.0/24") } },
        { "events_source_ip", new EventQuery { SourcePrefix = NetPrefix.Parse("2001:db8::/32"), Clearance = Belfry.Core.Events.Tlp.Green } },
        { "events_org", new EventQuery { Organisation = "org-a", OnlyUnnotified = true } },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task EventQuery_UsesIndex(string index, EventQuery query)
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync(TestContext.Current.CancellationToken);
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db.Store.DatabasePath, Pooling = false }.ToString());
        c.Open();
        var (sql, args) = SqliteStore.EventSql(query, afterSeq: null, limit: 100);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
        cmd.Parameters.AddRange(args);
        var plan = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                plan.Add(r.GetString(3));
            }
        }
        Assert.True(plan.Any(p => p.Contains("USING INDEX " + index, StringComparison.Ordinal)), string.Join(" | ", plan));
    }
}
