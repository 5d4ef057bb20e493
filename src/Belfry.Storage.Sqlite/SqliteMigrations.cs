using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Belfry.Core.Events;
using Microsoft.Data.Sqlite;

namespace Belfry.Storage.Sqlite;

/// <summary>
/// The schema as numbered migrations, recorded in the table <c>schema_migrations</c> (number and
/// UTC time applied). Each runs in its own transaction, in order; a database that records a
/// number this program does not know was written by a newer Belfry and is refused.
/// </summary>
/// <remarks>
/// Migration 1 is the schema Belfry created before migrations existed, statement for statement
/// (<c>IF NOT EXISTS</c>), so a database of that time is simply recorded at version 1 and moves on.
/// Never edit a migration that has shipped: add the next one.
/// </remarks>
public static class SqliteMigrations
{
    /// <summary>The file name an older Belfry kept attacks in, beside belfry.db; migration 2 imports it.</summary>
    public const string LegacyAttacksFile = "attacks.db";

    /// <summary>What the imported <see cref="LegacyAttacksFile"/> is renamed to (kept, not deleted).</summary>
    public const string ImportedAttacksSuffix = ".imported";

    internal sealed record Migration(int Version, string Sql, Action<SqliteConnection, SqliteTransaction, string>? Code = null);

    /// <summary>The schema before migrations (session 1's SqliteStore), kept verbatim.</summary>
    internal const string Version1Sql = """
        CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            time_source INTEGER,
            time_observation INTEGER NOT NULL,
            feed TEXT NOT NULL,
            classification_type TEXT,
            organisation TEXT,
            tlp INTEGER NOT NULL,
            notified_at INTEGER,
            fields BLOB NOT NULL,
            raw TEXT
        );
        CREATE TABLE IF NOT EXISTS symbols (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS events_org ON events(organisation, notified_at) WHERE organisation IS NOT NULL;
        CREATE TABLE IF NOT EXISTS quarantine (
            id INTEGER PRIMARY KEY,
            received_at INTEGER NOT NULL,
            feed TEXT NOT NULL,
            file TEXT,
            line INTEGER NOT NULL,
            raw TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS organisations (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            json TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS notifications (
            id INTEGER PRIMARY KEY,
            organisation TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            message_id TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS notifications_org ON notifications(organisation, sent_at);
        """;

    /// <summary>The event time a query filters on: time.source when the event has one, else when it was observed.</summary>
    internal const string EventTime = "coalesce(time_source, time_observation)";

    // Indexes for the web's common queries only: each one costs insert time on the ingest path
    // (organisation + time, feed + time, source address). ASN and classification filters ride on them.
    const string Version2Sql = $"""
        ALTER TABLE events ADD COLUMN source_ip BLOB;
        ALTER TABLE events ADD COLUMN source_asn INTEGER;
        CREATE INDEX events_org_time ON events(organisation, {EventTime}) WHERE organisation IS NOT NULL;
        CREATE INDEX events_feed_time ON events(feed, {EventTime});
        CREATE INDEX events_source_ip ON events(source_ip) WHERE source_ip IS NOT NULL;
        ALTER TABLE quarantine ADD COLUMN raw_hash BLOB;
        CREATE TABLE organisation_history (
            id INTEGER PRIMARY KEY,
            organisation TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX organisation_history_org ON organisation_history(organisation, id);
        CREATE TABLE attacks (
            id TEXT PRIMARY KEY,
            target TEXT NOT NULL,
            target_kind TEXT NOT NULL,
            organisation TEXT,
            main_vector TEXT NOT NULL,
            vectors TEXT NOT NULL,
            start INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            end_time INTEGER,
            peak_pps REAL NOT NULL,
            peak_bps REAL NOT NULL,
            distinct_sources INTEGER NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX attacks_start ON attacks(start);
        CREATE TABLE mitigation_routes (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            definition TEXT NOT NULL,
            reason TEXT NOT NULL,
            attacks TEXT NOT NULL,
            announced_at INTEGER NOT NULL,
            withdraw_after INTEGER
        );
        """;

    internal static readonly IReadOnlyList<Migration> All =
    [
        new(1, Version1Sql),
        new(2, Version2Sql, Version2Code),
        new(3, "CREATE UNIQUE INDEX quarantine_once ON quarantine(feed, ifnull(file, ''), line, raw_hash);"),
    ];

    /// <summary>The newest schema this program knows.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>Applies the migrations <paramref name="connection"/>'s database lacks; imports a legacy attacks.db beside <paramref name="databasePath"/>.</summary>
    internal static void Apply(SqliteConnection connection, string databasePath, TimeProvider clock)
    {
        Exec(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        var current = CurrentVersion(connection);
        if (current > LatestVersion)
        {
            throw new StorageException(
                $"The database {databasePath} is at schema version {current}, newer than this Belfry knows ({LatestVersion}): it was written by a newer version. Run that version, or restore a backup.",
                isTransient: false);
        }
        var legacyAttacks = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? ".", LegacyAttacksFile);
        var imported = false;
        foreach (var m in All)
        {
            if (m.Version <= current)
            {
                continue;
            }
            using var tx = connection.BeginTransaction();
            Exec(connection, tx, m.Sql);
            m.Code?.Invoke(connection, tx, legacyAttacks);
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $at)";
                cmd.Parameters.AddWithValue("$v", m.Version);
                cmd.Parameters.AddWithValue("$at", clock.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            imported |= m.Code is not null;
        }
        if (imported)
        {
            KeepImportedAttacks(legacyAttacks);
        }
    }

    /// <summary>The highest migration recorded (0 for a new or pre-migration database).</summary>
    public static int CurrentVersion(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    static void Exec(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>The key that keeps a quarantined record once: a hash of its raw text (the raw text itself would double the index).</summary>
    internal static byte[] RawHash(string raw) => SHA256.HashData(Encoding.UTF8.GetBytes(raw)).AsSpan(0, 16).ToArray();

    static void Version2Code(SqliteConnection c, SqliteTransaction tx, string legacyAttacks)
    {
        BackfillEventColumns(c, tx);
        DeduplicateQuarantine(c, tx);
        using (var cmd = c.CreateCommand())
        {
            // The organisations already stored start their history, so the revision is non-zero.
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO organisation_history (organisation, at, actor, action, before, after) SELECT id, $at, 'migration 2', 'import', NULL, json FROM organisations ORDER BY id";
            cmd.Parameters.AddWithValue("$at", DateTime.UtcNow.Ticks);
            cmd.ExecuteNonQuery();
        }
        if (File.Exists(legacyAttacks))
        {
            ImportAttacks(c, tx, legacyAttacks);
        }
    }

    /// <summary>Events stored before version 2 get their source address and AS number columns from their fields.</summary>
    static void BackfillEventColumns(SqliteConnection c, SqliteTransaction tx)
    {
        var symbols = new SymbolTable();
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT id, text FROM symbols ORDER BY id";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var text = r.GetString(1);
                symbols.LoadPersisted(r.GetInt32(0), string.IsInterned(text) ?? text);
            }
        }
        using var update = c.CreateCommand();
        update.Transaction = tx;
        update.CommandText = "UPDATE events SET source_ip = $ip, source_asn = $asn WHERE seq = $seq";
        var ip = update.Parameters.Add("$ip", SqliteType.Blob);
        var asn = update.Parameters.Add("$asn", SqliteType.Integer);
        var seq = update.Parameters.Add("$seq", SqliteType.Integer);
        using var read = c.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT seq, fields FROM events";
        using var rows = read.ExecuteReader();
        var bytes = new byte[16];
        while (rows.Read())
        {
            var e = new Event();
            if (!EventCodec.TryDecode((byte[])rows[1], e, symbols))
            {
                throw new StorageException($"Stored event {rows.GetInt64(0)} cannot be decoded while migrating.", isTransient: false);
            }
            var cols = IndexedColumns.Of(e);
            if (cols.SourceIp.Kind != FieldKind.Address && cols.SourceAsn.Kind != FieldKind.Integer)
            {
                continue;
            }
            if (cols.SourceIp.Kind == FieldKind.Address)
            {
                BinaryPrimitives.WriteUInt128BigEndian(bytes, cols.SourceIp.Address.Value);
                ip.Value = bytes;
            }
            else
            {
                ip.Value = DBNull.Value;
            }
            asn.Value = cols.SourceAsn.Kind == FieldKind.Integer ? cols.SourceAsn.Integer : DBNull.Value;
            seq.Value = rows.GetInt64(0);
            update.ExecuteNonQuery();
        }
    }

    /// <summary>Hashes the kept records and drops exact repeats (same feed, file, line and raw: the re-ingest fault), keeping the first.</summary>
    static void DeduplicateQuarantine(SqliteConnection c, SqliteTransaction tx)
    {
        var hashes = new List<(long Id, byte[] Hash)>();
        using (var read = c.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT id, raw FROM quarantine";
            using var r = read.ExecuteReader();
            while (r.Read())
            {
                hashes.Add((r.GetInt64(0), RawHash(r.GetString(1))));
            }
        }
        using (var update = c.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = "UPDATE quarantine SET raw_hash = $h WHERE id = $id";
            var h = update.Parameters.Add("$h", SqliteType.Blob);
            var id = update.Parameters.Add("$id", SqliteType.Integer);
            foreach (var (i, hash) in hashes)
            {
                h.Value = hash;
                id.Value = i;
                update.ExecuteNonQuery();
            }
        }
        Exec(c, tx, "DELETE FROM quarantine WHERE id NOT IN (SELECT min(id) FROM quarantine GROUP BY feed, ifnull(file, ''), line, raw_hash)");
    }

    /// <summary>Copies the attacks of an older Belfry's attacks.db (times as ISO text) into this database (times as ticks, like every other table).</summary>
    static void ImportAttacks(SqliteConnection c, SqliteTransaction tx, string legacyAttacks)
    {
        var rows = new List<object?[]>();
        var cs = new SqliteConnectionStringBuilder { DataSource = legacyAttacks, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using (var legacy = new SqliteConnection(cs))
        {
            legacy.Open();
            using var cmd = legacy.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'attacks'";
            if (Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                return;
            }
            cmd.CommandText = "SELECT id, target, target_kind, organisation, main_vector, vectors, start, last_seen, end_time, peak_pps, peak_bps, distinct_sources, json FROM attacks";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var row = new object?[13];
                r.GetValues(row!);
                row[6] = LegacyTicks(r.GetString(6));
                row[7] = LegacyTicks(r.GetString(7));
                row[8] = r.IsDBNull(8) ? DBNull.Value : LegacyTicks(r.GetString(8));
                rows.Add(row);
            }
        }
        using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO attacks (id, target, target_kind, organisation, main_vector, vectors, start, last_seen, end_time, peak_pps, peak_bps, distinct_sources, json)
            VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT(id) DO NOTHING
            """;
        var ps = Enumerable.Range(0, 13).Select(i => insert.Parameters.Add("$" + i.ToString(CultureInfo.InvariantCulture), SqliteType.Text)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < 13; i++)
            {
                ps[i].Value = row[i] ?? DBNull.Value;
            }
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>attacks.db kept times as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c> (UTC).</summary>
    static long LegacyTicks(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).Ticks;

    /// <summary>The imported file is renamed, not deleted: the operator's copy of what was there.</summary>
    static void KeepImportedAttacks(string legacyAttacks)
    {
        if (!File.Exists(legacyAttacks))
        {
            return;
        }
        SqliteConnection.ClearAllPools();
        var target = legacyAttacks + ImportedAttacksSuffix;
        for (var n = 2; File.Exists(target); n++)
        {
            target = legacyAttacks + ImportedAttacksSuffix + "." + n.ToString(CultureInfo.InvariantCulture);
        }
        File.Move(legacyAttacks, target);
        foreach (var side in new[] { "-wal", "-shm" })
        {
            if (File.Exists(legacyAttacks + side))
            {
                File.Move(legacyAttacks + side, target + side);
            }
        }
    }
}
