using System.Runtime.CompilerServices;
using System.Text;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Microsoft.Data.Sqlite;

// Microsoft.Data.Sqlite has no real async I/O: its *Async methods run synchronously and only add a
// Task per call. The store uses the synchronous calls on purpose, inside async methods.
#pragma warning disable VSTHRD103

namespace Belfry.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. Writes go through one connection
/// under a lock, one transaction per batch with prepared statements reused across rows;
/// reads open their own connections (WAL lets them run beside the writer).
/// </summary>
public sealed partial class SqliteEventStore : IEventStore, IEncodedEventStore
{
    readonly string _connectionString;
    readonly SemaphoreSlim _writeLock = new(1, 1);
    SqliteConnection? _writer;
    EventInserter? _inserter;
    int _disposed;
    readonly SymbolTable _symbols = new();

    public SqliteEventStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        // A 16 MiB page cache: with the large transactions of the ingest pipeline, 64 MiB cost about
        // 4x that in resident memory (measured) and wrote no faster; the OS page cache holds the rest.
        cmd.CommandText = "PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384; PRAGMA mmap_size=268435456;";
        cmd.ExecuteNonQuery();
        return c;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _writer ??= Open();
            using (var cmd = _writer.CreateCommand())
            {
                // The writer reads mostly index pages, which the page cache holds; mapping the
                // file as well would count up to mmap_size of it in the working set.
                cmd.CommandText = "PRAGMA mmap_size=0;";
                cmd.ExecuteNonQuery();
                // Page size only takes effect on a fresh file, before WAL mode and the first table.
                cmd.CommandText = "PRAGMA page_size=" + PageSize + ";" + Schema;
                cmd.ExecuteNonQuery();
            }
            _inserter ??= new EventInserter(_writer.Handle!, _symbols);
        }
        catch (SqliteException ex)
        {
            throw Wrap("initialize", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    const int PageSize = 16384;

    const string Schema = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=NORMAL;
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

    SqliteConnection Writer => _writer ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public async Task<StoreResult> StoreEventsAsync(IReadOnlyList<Event> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return default;
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return (_inserter ?? throw new InvalidOperationException("Call InitializeAsync first.")).Store(batch);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<EventRowEncoder> CreateRowEncoderAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return (_inserter ?? throw new InvalidOperationException("Call InitializeAsync first.")).CreateEncoder();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<StoreResult> StoreEncodedAsync(IEnumerable<EncodedEventBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return (_inserter ?? throw new InvalidOperationException("Call InitializeAsync first.")).StoreEncoded(batches);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task StoreRejectionsAsync(IReadOnlyList<QuarantinedRecord> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            using var cmd = Writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO quarantine (received_at, feed, file, line, raw, reason) VALUES ($at, $feed, $file, $line, $raw, $reason)";
            var at = cmd.Parameters.Add("$at", SqliteType.Integer);
            var feed = cmd.Parameters.Add("$feed", SqliteType.Text);
            var file = cmd.Parameters.Add("$file", SqliteType.Text);
            var line = cmd.Parameters.Add("$line", SqliteType.Integer);
            var raw = cmd.Parameters.Add("$raw", SqliteType.Text);
            var reason = cmd.Parameters.Add("$reason", SqliteType.Text);
            foreach (var r in batch)
            {
                at.Value = r.ReceivedAt.Ticks;
                feed.Value = r.Feed;
                file.Value = (object?)r.File ?? DBNull.Value;
                line.Value = r.Line;
                raw.Value = r.Raw;
                reason.Value = r.Reason;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
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

    static (string Where, List<SqliteParameter> Args) BuildWhere(EventQuery q)
    {
        var sb = new StringBuilder(" WHERE tlp <= $clearance");
        var args = new List<SqliteParameter> { new("$clearance", (int)q.Clearance) };
        if (q.Organisation is not null)
        {
            sb.Append(" AND organisation = $org");
            args.Add(new("$org", q.Organisation));
        }
        if (q.Since is { } since)
        {
            sb.Append(" AND time_observation >= $since");
            args.Add(new("$since", since.ToUniversalTime().Ticks));
        }
        if (q.Feed is not null)
        {
            sb.Append(" AND feed = $feed");
            args.Add(new("$feed", q.Feed));
        }
        if (q.OnlyUnnotified)
        {
            sb.Append(" AND notified_at IS NULL");
        }
        return (sb.ToString(), args);
    }

    public async IAsyncEnumerable<Event> QueryEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await Task.Yield();
        using var c = Open();
        using var cmd = c.CreateCommand();
        var (where, args) = BuildWhere(query);
        cmd.CommandText = "SELECT id, organisation, tlp, fields, raw FROM events" + where + " ORDER BY seq" + (query.Limit is { } l ? $" LIMIT {l}" : string.Empty);
        cmd.Parameters.AddRange(args);
        using var reader = cmd.ExecuteReader();
        var symbols = new StoredSymbols(_symbols, c);
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = new Event
            {
                Id = EventId.FromBytes((byte[])reader[0]),
                Organisation = reader.IsDBNull(1) ? null : reader.GetString(1),
                Tlp = (Tlp)reader.GetInt32(2),
                Raw = reader.IsDBNull(4) ? null : reader.GetString(4),
            };
            if (!EventCodec.TryDecode((byte[])reader[3], e, symbols))
            {
                throw new StorageException($"Stored event {e.Id} cannot be decoded.", isTransient: false);
            }
            yield return e;
        }
    }

    public Task<long> CountEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var c = Open();
        using var cmd = c.CreateCommand();
        var (where, args) = BuildWhere(query);
        cmd.CommandText = "SELECT count(*) FROM events" + where;
        cmd.Parameters.AddRange(args);
        return Task.FromResult((long)cmd.ExecuteScalar()!);
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
        return Task.FromResult((long)cmd.ExecuteScalar()!);
    }

    public async Task UpsertOrganisationsAsync(IReadOnlyList<Organisation> organisations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organisations);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            using var cmd = Writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO organisations (id, name, json) VALUES ($id, $name, $json) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json";
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var name = cmd.Parameters.Add("$name", SqliteType.Text);
            var json = cmd.Parameters.Add("$json", SqliteType.Text);
            foreach (var o in organisations)
            {
                id.Value = o.Id;
                name.Value = o.Name;
                json.Value = OrganisationJson.Serialize(o);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            throw Wrap("store organisations", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<Organisation>> GetOrganisationsAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM organisations ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<Organisation>();
        while (r.Read())
        {
            list.Add(OrganisationJson.Deserialize(r.GetString(0)));
        }
        return Task.FromResult<IReadOnlyList<Organisation>>(list);
    }

    public async Task RecordNotificationAsync(NotificationRecord notification, IReadOnlyList<EventId> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(events);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            using (var cmd = Writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO notifications (organisation, sent_at, channel, recipient, subject, event_count, message_id) VALUES ($org, $at, $ch, $to, $subj, $n, $mid)";
                cmd.Parameters.AddWithValue("$org", notification.Organisation);
                cmd.Parameters.AddWithValue("$at", notification.SentAt.ToUniversalTime().Ticks);
                cmd.Parameters.AddWithValue("$ch", notification.Channel);
                cmd.Parameters.AddWithValue("$to", notification.Recipient);
                cmd.Parameters.AddWithValue("$subj", notification.Subject);
                cmd.Parameters.AddWithValue("$n", notification.EventCount);
                cmd.Parameters.AddWithValue("$mid", notification.MessageId);
                cmd.ExecuteNonQuery();
            }
            using (var cmd = Writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE events SET notified_at = $at WHERE id = $id AND organisation = $org";
                var at = cmd.Parameters.AddWithValue("$at", notification.SentAt.ToUniversalTime().Ticks);
                var org = cmd.Parameters.AddWithValue("$org", notification.Organisation);
                var id = cmd.Parameters.Add("$id", SqliteType.Blob);
                foreach (var e in events)
                {
                    id.Value = e.ToBytes();
                    cmd.ExecuteNonQuery();
                }
            }
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            throw Wrap("record notification", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async IAsyncEnumerable<NotificationRecord> QueryNotificationsAsync(string? organisation, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT organisation, sent_at, channel, recipient, subject, event_count, message_id FROM notifications"
            + (organisation is null ? string.Empty : " WHERE organisation = $org") + " ORDER BY id";
        if (organisation is not null)
        {
            cmd.Parameters.AddWithValue("$org", organisation);
        }
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new NotificationRecord(r.GetString(0), new DateTime(r.GetInt64(1), DateTimeKind.Utc), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6));
        }
    }

    // SQLITE_BUSY (5) and SQLITE_LOCKED (6) clear up when the other writer finishes.
    static StorageException Wrap(string what, SqliteException ex) =>
        new($"SQLite failed to {what}: {ex.Message}", isTransient: ex.SqliteErrorCode is 5 or 6, ex);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _writeLock.WaitAsync();
        try
        {
            _inserter?.Dispose();
            _inserter = null;
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
            }
            _writer = null;
        }
        finally
        {
            _writeLock.Release();
        }
        _writeLock.Dispose();
    }
}
