using Belfry.Core.Events;
using Belfry.Ddos.Attacks;
using Belfry.Mitigation;
using Microsoft.Data.Sqlite;

// Microsoft.Data.Sqlite has no real async I/O: its *Async methods run synchronously and only add a
// Task per call. The store uses the synchronous calls on purpose, inside async methods.
#pragma warning disable VSTHRD103

namespace Belfry.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode per deployment (DATA/belfry.db) for
/// every aggregate: events, quarantine, organisations and their history, notifications, attacks
/// and route ownership. The schema is built by numbered migrations (<see cref="SqliteMigrations"/>).
/// Writes go through one connection under a lock, one transaction per batch with prepared
/// statements reused across rows; reads open their own connections (WAL lets them run beside the writer).
/// </summary>
public sealed partial class SqliteStore : IBelfryStore, IEncodedEventStore, IAttackStore, IMitigationStore
{
    readonly TimeProvider _clock;
    readonly string _connectionString;
    readonly SemaphoreSlim _writeLock = new(1, 1);
    SqliteConnection? _writer;
    EventInserter? _inserter;
    int _disposed;
    readonly SymbolTable _symbols = new();

    /// <param name="databasePath">The database file; an <c>attacks.db</c> of an older Belfry beside it is imported once, then renamed.</param>
    /// <param name="clock">The time of organisation history rows (the system clock by default).</param>
    public SqliteStore(string databasePath, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
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
                cmd.CommandText = "PRAGMA page_size=" + PageSize + "; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
                cmd.ExecuteNonQuery();
            }
            SqliteMigrations.Apply(_writer, DatabasePath, _clock);
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
