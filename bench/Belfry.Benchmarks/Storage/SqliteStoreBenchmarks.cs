using BenchmarkDotNet.Attributes;
using Belfry.Core.Events;
using Belfry.Storage.Sqlite;

// BenchmarkDotNet runs setup and benchmark methods on a plain thread with no synchronization
// context, so waiting on the store's tasks cannot deadlock; the store completes synchronously.
#pragma warning disable VSTHRD002

namespace Belfry.Benchmarks.Storage;

/// <summary>
/// The store's share of the ingest budget: one 8,192-event batch of realistic scan_http events
/// into a fresh SQLite file (one transaction, UNIQUE id index, symbols table). The ingest
/// target of 200,000 events/s end to end leaves the store ~4-5 us per event.
/// </summary>
[MemoryDiagnoser]
public class SqliteStoreBenchmarks
{
    const int BatchSize = 8192;
    List<Event> _batch = [];
    string _dir = string.Empty;
    SqliteStore? _store;

    [GlobalSetup]
    public void Setup() => _batch = StorageEvents.ScanHttp(BatchSize);

    [IterationSetup]
    public void OpenFreshStore()
    {
        _dir = Path.Combine(Path.GetTempPath(), "belfry-bench-store-" + Guid.NewGuid().ToString("N"));
        _store = new SqliteStore(Path.Combine(_dir, "belfry.db"));
        _store.InitializeAsync().GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int StoreBatch() => _store!.StoreEventsAsync(_batch).GetAwaiter().GetResult().Inserted;
}
