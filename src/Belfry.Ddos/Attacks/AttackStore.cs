using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Belfry.Ddos.Attacks;

/// <summary>
/// Attacks in a SQLite file (table <c>attacks</c>): one row per attack, updated in place by each
/// event, for <c>belfry attacks list [--json]</c>. Columns for filtering and sorting, plus the
/// full attack as JSON (<see cref="AttackJson"/>).
/// </summary>
public sealed class AttackStore : IAsyncDisposable, IDisposable
{
    readonly SqliteConnection _connection;

    AttackStore(SqliteConnection connection) => _connection = connection;

    public static async Task<AttackStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var c = new SqliteConnection(cs);
        try
        {
            await c.OpenAsync(cancellationToken);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = """
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
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return new AttackStore(c);
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>Inserts the attack, or replaces the row with the same id.</summary>
    public async Task SaveAsync(Attack attack, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attack);
        await using var cmd = _connection.CreateCommand();
        cmd.CommandText = """
            INSERT INTO attacks (id, target, target_kind, organisation, main_vector, vectors, start, last_seen, end_time, peak_pps, peak_bps, distinct_sources, json)
            VALUES ($id, $target, $kind, $org, $main, $vectors, $start, $last, $end, $pps, $bps, $sources, $json)
            ON CONFLICT(id) DO UPDATE SET organisation = excluded.organisation, main_vector = excluded.main_vector,
                vectors = excluded.vectors, last_seen = excluded.last_seen, end_time = excluded.end_time,
                peak_pps = excluded.peak_pps, peak_bps = excluded.peak_bps, distinct_sources = excluded.distinct_sources, json = excluded.json
            """;
        cmd.Parameters.AddWithValue("$id", attack.Id);
        cmd.Parameters.AddWithValue("$target", attack.Target.ToString());
        cmd.Parameters.AddWithValue("$kind", attack.TargetKind == AttackTargetKind.Host ? "host" : "prefix");
        cmd.Parameters.AddWithValue("$org", (object?)attack.Organisation ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$main", AttackVectors.Identifier(attack.MainVector));
        cmd.Parameters.AddWithValue("$vectors", string.Join(',', attack.Vectors.Select(AttackVectors.Identifier)));
        cmd.Parameters.AddWithValue("$start", AttackJson.Time(attack.Start));
        cmd.Parameters.AddWithValue("$last", AttackJson.Time(attack.LastSeen));
        cmd.Parameters.AddWithValue("$end", attack.End is { } end ? AttackJson.Time(end) : DBNull.Value);
        cmd.Parameters.AddWithValue("$pps", attack.PeakPps);
        cmd.Parameters.AddWithValue("$bps", attack.PeakBps);
        cmd.Parameters.AddWithValue("$sources", attack.DistinctSources);
        cmd.Parameters.AddWithValue("$json", AttackJson.ToJson(attack));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Saves the attack an event carries (the row reflects the latest event).</summary>
    public Task SaveAsync(AttackEvent e, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        return SaveAsync(e.Attack, cancellationToken);
    }

    public async Task<Attack?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT json FROM attacks WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return await cmd.ExecuteScalarAsync(cancellationToken) is string json ? AttackJson.Read(json) : null;
    }

    /// <summary>The most recent attacks (by start), newest first; only those started at or after <paramref name="since"/> when given.</summary>
    public async Task<IReadOnlyList<Attack>> ListRecentAsync(int limit = 50, DateTime? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT json FROM attacks WHERE start >= $since ORDER BY start DESC, id LIMIT $limit";
        cmd.Parameters.AddWithValue("$since", since is { } s ? AttackJson.Time(s) : "");
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<Attack>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(AttackJson.Read(r.GetString(0)));
        }
        return list;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM attacks";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public void Dispose() => _connection.Dispose();

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
