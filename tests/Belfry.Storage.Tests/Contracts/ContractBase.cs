namespace Belfry.Storage.Tests.Contracts;

/// <summary>
/// The base of every storage contract suite: a store engine (SQLite here, PostgreSQL later) runs a
/// suite by subclassing it and making stores in <c>CreateStoreAsync</c>; each test gets a fresh,
/// empty, initialised store, disposed after the test.
/// </summary>
public abstract class ContractBase : IAsyncDisposable
{
    readonly List<IAsyncDisposable> _owned = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The clock stores of this test use for the times they stamp themselves (history).</summary>
    protected FixedClock Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Registers something the test's store needs disposed (the subclass's database).</summary>
    protected T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>A clock that moves only when told.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
