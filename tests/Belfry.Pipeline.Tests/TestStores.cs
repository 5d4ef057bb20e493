using System.Reflection;
using System.Text;
using Belfry.Feeds;
using Belfry.Feeds.OpenPhish;
using Belfry.Storage;
using Belfry.Storage.Sqlite;

namespace Belfry.Pipeline.Tests;

/// <summary>A real SQLite store in its own temporary folder, deleted afterwards.</summary>
sealed class TempDatabase : IAsyncDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "belfry-pipeline-test-" + Guid.NewGuid().ToString("N"));

    public TempDatabase() => Store = new SqliteStore(Path.Combine(_dir, "belfry.db"));

    public SqliteStore Store { get; }

    public Task<long> CountAsync() => Store.CountEventsAsync(new EventQuery());

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// The real store behind a fault: <see cref="IEventStore.StoreEventsAsync"/> may wait or throw
/// (faults the real store can't show on demand); everything else goes to the real store. Only
/// <see cref="IBelfryStore"/>, so the pipeline takes the event-batch path.
/// </summary>
public class FaultyStore : DispatchProxy
{
    internal IBelfryStore Inner { get; private set; } = null!;

    /// <summary>Called before each StoreEventsAsync with its call number (1-based); may throw or wait.</summary>
    internal Func<int, Task> BeforeStore { get; private set; } = _ => Task.CompletedTask;

    int _calls;

    internal int Calls => Volatile.Read(ref _calls);

    internal static (IBelfryStore Store, FaultyStore Fault) Wrap(IBelfryStore inner, Func<int, Task> beforeStore)
    {
        var proxy = Create<IBelfryStore, FaultyStore>();
        var fault = (FaultyStore)(object)proxy;
        fault.Inner = inner;
        fault.BeforeStore = beforeStore;
        return (proxy, fault);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IEventStore.StoreEventsAsync))
        {
            return StoreAsync((IReadOnlyList<Belfry.Core.Events.Event>)args![0]!, (CancellationToken)args[1]!);
        }
        return targetMethod.Invoke(Inner, args);
    }

    async Task<StoreResult> StoreAsync(IReadOnlyList<Belfry.Core.Events.Event> batch, CancellationToken ct)
    {
        await BeforeStore(Interlocked.Increment(ref _calls));
        return await Inner.StoreEventsAsync(batch, ct);
    }
}

static class Inputs
{
    public static FeedRegistry Registry() => new([new OpenPhishParser()]);

    /// <summary>An OpenPhish feed of <paramref name="n"/> distinct URLs.</summary>
    public static byte[] UrlFeed(int n, int start = 0)
    {
        var sb = new StringBuilder();
        for (var i = start; i < start + n; i++)
        {
            sb.Append("https://phish").Append(i).Append(".example.com/login\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }
        return ms.ToArray();
    }
}
