using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous (see SqliteStore.cs).

namespace Belfry.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task<int> StoreRejectionsAsync(IReadOnlyList<QuarantinedRecord> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return 0;
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            using var cmd = Writer.CreateCommand();
            cmd.Transaction = tx;
            // Once per feed, file, line and raw text (the unique index quarantine_once): a re-ingest adds nothing.
            cmd.CommandText = "INSERT INTO quarantine (received_at, feed, file, line, raw, reason, raw_hash) VALUES ($at, $feed, $file, $line, $raw, $reason, $hash) ON CONFLICT DO NOTHING";
            var at = cmd.Parameters.Add("$at", SqliteType.Integer);
            var feed = cmd.Parameters.Add("$feed", SqliteType.Text);
            var file = cmd.Parameters.Add("$file", SqliteType.Text);
            var line = cmd.Parameters.Add("$line", SqliteType.Integer);
            var raw = cmd.Parameters.Add("$raw", SqliteType.Text);
            var reason = cmd.Parameters.Add("$reason", SqliteType.Text);
            var hash = cmd.Parameters.Add("$hash", SqliteType.Blob);
            var inserted = 0;
            foreach (var r in batch)
            {
                at.Value = r.ReceivedAt.ToUniversalTime().Ticks;
                feed.Value = r.Feed;
                file.Value = (object?)r.File ?? DBNull.Value;
                line.Value = r.Line;
                raw.Value = r.Raw;
                reason.Value = r.Reason;
                hash.Value = SqliteMigrations.RawHash(r.Raw);
                inserted += cmd.ExecuteNonQuery();
            }
            tx.Commit();
            return inserted;
        }
        catch (SqliteException ex)
        {
            throw Wrap("store quarantine", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async IAsyncEnumerable<QuarantinedRecord> QueryQuarantineAsync(int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, received_at, feed, file, line, raw, reason FROM quarantine ORDER BY id LIMIT $limit";
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new QuarantinedRecord(
                r.GetInt64(0),
                new DateTime(r.GetInt64(1), DateTimeKind.Utc),
                r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3),
                r.GetInt64(4),
                r.GetString(5),
                r.GetString(6));
        }
    }

    public Task<long> CountQuarantineAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM quarantine";
        return Task.FromResult(Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
    }
}
