using Belfry.Storage.Sqlite;

namespace Belfry.Storage.Tests;

/// <summary>A SQLite store in its own temporary folder, deleted afterwards.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "belfry-test-" + Guid.NewGuid().ToString("N"));

    public TempDatabase(TimeProvider? clock = null) => Store = new SqliteStore(Path.Combine(_dir, "belfry.db"), clock);

    /// <summary>The folder of the database (an older Belfry kept attacks.db here too).</summary>
    public string Folder => _dir;

    public SqliteStore Store { get; }

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
