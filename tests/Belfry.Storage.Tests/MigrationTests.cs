using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Storage.Sqlite;
using Belfry.Storage.Tests.Contracts;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous anyway.

namespace Belfry.Storage.Tests;

/// <summary>
/// The upgrade from the files an older Belfry wrote: a belfry.db with the schema before migrations
/// (built with that DDL, which migration 1 keeps verbatim, and rows written the way the old store
/// wrote them) and an attacks.db as the old AttackStore wrote it (times as ISO text).
/// </summary>
public class MigrationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The old AttackStore's DDL, verbatim (src/Belfry.Ddos/Attacks/AttackStore.cs before it moved).
    const string LegacyAttacksDdl = """
        PRAGMA journal_mode=WAL;
        PRAGMA busy_timeout=5000;
        CREATE TABLE IF NOT EXISTS attacks (
            id TEXT PRIMARY KEY,
            target TEXT NOT NULL,
            target_kind TEXT NOT NULL,
            organisation TEXT,
            main_vector TEXT NOT NULL,
            vectors TEXT NOT NULL,
            start TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            end_time TEXT,
            peak_pps REAL NOT NULL,
            peak_bps REAL NOT NULL,
            distinct_sources INTEGER NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS attacks_start ON attacks(start);
        """;

    static SqliteConnection OpenRaw(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    static void Exec(SqliteConnection c, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args)
        {
            cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }
        cmd.ExecuteNonQuery();
    }

    static Event LegacyEvent(int i)
    {
        var raw = $"legacy,{i}";
        var e = new Event { Raw = raw, Organisation = "org-a", Tlp = Tlp.Amber, Id = EventId.Compute("scan_http", raw) };
        e.Set(Fields.FeedName, "scan_http");
        e.Set(Fields.TimeSource, new DateTime(2026, 11, 1, 0, 0, i, DateTimeKind.Utc));
        e.Set(Fields.TimeObservation, new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc));
        e.Set(Fields.SourceIp, NetAddress.Parse(i % 2 == 0 ? $"192.0.2.{i}" : $"2001:db8::{i}"));
        e.Set(Fields.SourceAsn, 64500 + i);
        e.Set(Fields.ClassificationType, "vulnerable-system");
        return e;
    }

    /// <summary>belfry.db as the store before migrations left it: its DDL, and rows in its columns.</summary>
    static void WriteLegacyDatabase(string path)
    {
        using var c = OpenRaw(path);
        Exec(c, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + SqliteMigrations.Version1Sql);
        var symbols = new SymbolTable();
        for (var i = 0; i < 4; i++)
        {
            var e = LegacyEvent(i);
            Exec(c, "INSERT INTO events (id, time_source, time_observation, feed, classification_type, organisation, tlp, fields, raw) VALUES ($id, $ts, $to, $feed, $type, $org, $tlp, $fields, $raw)",
                ("$id", e.Id.ToBytes()), ("$ts", e.TimeSource!.Value.Ticks), ("$to", new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc).Ticks), ("$feed", "scan_http"),
                ("$type", "vulnerable-system"), ("$org", "org-a"), ("$tlp", (int)Tlp.Amber), ("$fields", EventCodec.Encode(e, symbols)), ("$raw", e.Raw));
        }
        foreach (var (id, text) in symbols.Pending())
        {
            Exec(c, "INSERT INTO symbols (id, text) VALUES ($id, $text)", ("$id", id), ("$text", text));
        }
        // The re-ingest fault: the same rejected line stored twice, plus one other.
        var at = new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc).Ticks;
        foreach (var line in new[] { 5, 5, 6 })
        {
            Exec(c, "INSERT INTO quarantine (received_at, feed, file, line, raw, reason) VALUES ($at, 'scan_http', '/inbox/a.csv', $line, 'bad,row', 'column count')", ("$at", at), ("$line", line));
        }
        var org = new Organisation { Id = "0203000016", Name = "Org A", Prefixes = [NetPrefix.Parse("192.0.2.0/24")] };
        Exec(c, "INSERT INTO organisations (id, name, json) VALUES ($id, $name, $json)", ("$id", org.Id), ("$name", org.Name), ("$json", OrganisationJson.Serialize(org)));
        Exec(c, "INSERT INTO notifications (organisation, sent_at, channel, recipient, subject, event_count, message_id) VALUES ('org-a', $at, 'smtp', 'csirt@a.example', 'Digest', 4, '<1@belfry>')", ("$at", at));
    }

    /// <summary>attacks.db as the old AttackStore wrote it: times as yyyy-MM-ddTHH:mm:ss.fffffffZ text.</summary>
    static void WriteLegacyAttacks(string path, IEnumerable<Attack> attacks)
    {
        using var c = OpenRaw(path);
        Exec(c, LegacyAttacksDdl);
        foreach (var a in attacks)
        {
            Exec(c, "INSERT INTO attacks (id, target, target_kind, organisation, main_vector, vectors, start, last_seen, end_time, peak_pps, peak_bps, distinct_sources, json) VALUES ($id, $target, 'host', $org, 'dns_amplification', 'dns_amplification,syn_flood', $start, $last, $end, $pps, $bps, $src, $json)",
                ("$id", a.Id), ("$target", a.Target.ToString()), ("$org", a.Organisation), ("$start", a.Start.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
                ("$last", a.LastSeen.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
                ("$end", a.End?.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
                ("$pps", a.PeakPps), ("$bps", a.PeakBps), ("$src", a.DistinctSources), ("$json", AttackJson.ToJson(a)));
        }
    }

    static List<int> AppliedVersions(string dbPath)
    {
        using var c = OpenRaw(dbPath);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        using var r = cmd.ExecuteReader();
        var list = new List<int>();
        while (r.Read())
        {
            list.Add(r.GetInt32(0));
        }
        return list;
    }

    [Fact]
    public async Task Upgrade_FromPreMigrationFiles_KeepsEverythingAndImportsAttacks()
    {
        var t = new DateTime(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);
        var attacks = new[]
        {
            AttackStoreContract.Sample(id: "a-old", start: t),
            AttackStoreContract.Sample(id: "a-new", start: t.AddHours(1), end: t.AddHours(2)),
        };
        await using var db = new TempDatabase();
        Directory.CreateDirectory(db.Folder);
        WriteLegacyDatabase(db.Store.DatabasePath);
        var legacyAttacks = Path.Combine(db.Folder, SqliteMigrations.LegacyAttacksFile);
        WriteLegacyAttacks(legacyAttacks, attacks);
        SqliteConnection.ClearAllPools();

        await db.Store.InitializeAsync(Ct);

        Assert.Equal([1, 2, 3], AppliedVersions(db.Store.DatabasePath));
        // Events: all there, decodable, and the new columns filled from their fields.
        Assert.Equal(4, await db.Store.CountEventsAsync(new EventQuery(), Ct));
        var v4 = await db.Store.QueryEventsAsync(new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.0/24") }, Ct).ToListAsync(Ct);
        Assert.Equal([LegacyEvent(0).Id, LegacyEvent(2).Id], v4.Select(e => e.Id));
        Assert.Equal(LegacyEvent(0).Raw, v4[0].Raw);
        Assert.Equal(1, await db.Store.CountEventsAsync(new EventQuery { SourcePrefix = NetPrefix.Parse("2001:db8::3/128") }, Ct));
        Assert.Equal(1, await db.Store.CountEventsAsync(new EventQuery { SourceAsn = 64502 }, Ct));
        // Quarantine: the repeated line once, the other line kept.
        Assert.Equal(2, await db.Store.CountQuarantineAsync(Ct));
        // Organisations, their history begun, and notifications.
        Assert.Equal("Org A", Assert.Single(await db.Store.GetOrganisationsAsync(Ct)).Name);
        Assert.Equal("import", Assert.Single(await db.Store.GetOrganisationHistoryAsync("0203000016", Ct)).Action);
        Assert.True(await db.Store.GetRevisionAsync(Ct) > 0);
        Assert.Equal("<1@belfry>", Assert.Single(await db.Store.QueryNotificationsAsync(null, Ct).ToListAsync(Ct)).MessageId);
        // Attacks: imported whole, times converted (the since filter and the order work on them).
        Assert.Equal(2, await db.Store.CountAttacksAsync(Ct));
        var back = await db.Store.GetAttackAsync("a-new", Ct);
        Assert.Equal(t.AddHours(2), back!.End);
        Assert.Equal(["a-new", "a-old"], (await db.Store.ListRecentAttacksAsync(10, null, Ct)).Select(a => a.Id));
        Assert.Equal(["a-new"], (await db.Store.ListRecentAttacksAsync(10, t.AddMinutes(30), Ct)).Select(a => a.Id));
        // The old file is kept under a new name, not deleted, and not imported again.
        Assert.False(File.Exists(legacyAttacks));
        Assert.True(File.Exists(legacyAttacks + SqliteMigrations.ImportedAttacksSuffix));

        // New writes go to the new columns and the new quarantine key.
        await db.Store.StoreEventsAsync([LegacyEvent(10)], Ct);
        Assert.Equal(3, await db.Store.CountEventsAsync(new EventQuery { SourcePrefix = NetPrefix.Parse("192.0.2.0/24") }, Ct));
    }

    [Fact]
    public async Task Initialize_Twice_AppliesEachMigrationOnce()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync(Ct);
        await using (var again = new SqliteStore(db.Store.DatabasePath))
        {
            await again.InitializeAsync(Ct);
        }
        Assert.Equal([1, 2, 3], AppliedVersions(db.Store.DatabasePath));
        Assert.Equal(SqliteMigrations.LatestVersion, AppliedVersions(db.Store.DatabasePath)[^1]);
    }

    [Fact]
    public async Task Initialize_DatabaseOfANewerBelfry_IsRefusedWithAClearError()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync(Ct);
        using (var c = OpenRaw(db.Store.DatabasePath))
        {
            Exec(c, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')");
        }
        await using var newer = new SqliteStore(db.Store.DatabasePath);
        var ex = await Assert.ThrowsAsync<StorageException>(() => newer.InitializeAsync(Ct));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);
    }
}
