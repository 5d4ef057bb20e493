namespace Belfry.Storage.Tests.Contracts;

/// <summary>What every <see cref="IQuarantineStore"/> must do: keep a record once per feed, file, line and raw text.</summary>
public abstract class QuarantineStoreContract : ContractBase
{
    protected abstract Task<IQuarantineStore> CreateStoreAsync();

    static readonly DateTime s_at = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);

    static List<QuarantinedRecord> FileRejections(DateTime at) =>
    [
        new(0, at, "scan_http", "/inbox/2026-12-01-scan_http.csv", 7, "\"bad\",\x01row", "column count"),
        new(0, at, "scan_http", "/inbox/2026-12-01-scan_http.csv", 9, "\"bad\",\x01row", "column count"),
        new(0, at, "openphish", null, 3, "not a url", "no url"),
    ];

    [Fact]
    public async Task StoreRejections_SameFileTwice_KeepsEachLineOnce()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(3, await store.StoreRejectionsAsync(FileRejections(s_at), Ct));
        // The re-ingest: same file, same lines, later.
        Assert.Equal(0, await store.StoreRejectionsAsync(FileRejections(s_at.AddHours(1)), Ct));
        Assert.Equal(3, await store.CountQuarantineAsync(Ct));
        var kept = new List<QuarantinedRecord>();
        await foreach (var q in store.QueryQuarantineAsync(10, Ct))
        {
            kept.Add(q);
        }
        Assert.Equal([7L, 9L, 3L], kept.Select(q => q.Line));
        Assert.All(kept, q => Assert.Equal(s_at, q.ReceivedAt));
    }

    [Fact]
    public async Task StoreRejections_OtherFileOrChangedLine_IsKept()
    {
        var store = await CreateStoreAsync();
        await store.StoreRejectionsAsync(FileRejections(s_at), Ct);
        var r = FileRejections(s_at)[0];
        Assert.Equal(1, await store.StoreRejectionsAsync([r with { File = "/inbox/other.csv" }], Ct));
        Assert.Equal(1, await store.StoreRejectionsAsync([r with { Raw = r.Raw + "changed" }], Ct));
        Assert.Equal(1, await store.StoreRejectionsAsync([r with { Feed = "scan_ftp" }], Ct));
        Assert.Equal(6, await store.CountQuarantineAsync(Ct));
    }
}
