using Belfry.Core.Events;

namespace Belfry.Pipeline.Tests;

public sealed class IngestPipelineTests
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    static IngestPipeline Pipeline(Belfry.Storage.IBelfryStore store, Func<int, IChunkQueue>? queue = null) =>
        new(Inputs.Registry(), Array.Empty<IEventExpert>(), store, TimeProvider.System) { QueueFactory = queue ?? (c => new BoundedChunkQueue(c)) };

    [Fact]
    public async Task Stream_input_is_parsed_and_stored()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var summary = await Pipeline(db.Store).RunAsync([IngestInput.FromStream("feed.txt", new MemoryStream(Inputs.UrlFeed(500)))], new IngestOptions());
        Assert.Empty(summary.RefusedFiles);
        Assert.Equal(500, summary.Parsed);
        Assert.Equal(500, summary.Stored);
        Assert.Equal(500, await db.CountAsync());
    }

    [Fact]
    public async Task Gzip_stream_without_gz_name_is_found_by_its_magic_bytes()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        // An unseekable upload named without .gz: only the content says it is gzip.
        var upload = new UnseekableStream(Inputs.Gzip(Inputs.UrlFeed(300)));
        var summary = await Pipeline(db.Store).RunAsync([IngestInput.FromStream("upload-1234", upload)], new IngestOptions());
        Assert.Empty(summary.RefusedFiles);
        Assert.Equal(300, summary.Stored);
        Assert.Equal(300, await db.CountAsync());
    }

    [Fact]
    public async Task Attachment_bytes_input_keeps_its_name_in_the_report()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var bytes = Inputs.UrlFeed(10);
        var summary = await Pipeline(db.Store).RunAsync(
            [IngestInput.FromBytes("attachment-feed.txt", bytes), IngestInput.FromBytes("garbage.bin", new byte[] { 0, 1, 2, 3 })],
            new IngestOptions());
        Assert.Equal(10, summary.Stored);
        Assert.Equal(bytes.Length + 4, summary.Bytes);
        Assert.Equal("garbage.bin", Assert.Single(summary.RefusedFiles).File);
    }

    [Fact]
    public async Task Decompressed_size_past_the_bound_refuses_the_input_with_a_reason()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var bomb = Inputs.Gzip(Inputs.UrlFeed(20_000)); // ~800 KB of text
        var summary = await Pipeline(db.Store).RunAsync(
            [IngestInput.FromBytes("report", bomb)], new IngestOptions { MaxDecompressedBytes = 100_000 });
        var refused = Assert.Single(summary.RefusedFiles);
        Assert.Contains("decompresses to more than 100,000 bytes", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rerun_stores_nothing_twice()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var bytes = Inputs.UrlFeed(1000);
        var first = await Pipeline(db.Store).RunAsync([IngestInput.FromBytes("feed.txt", bytes)], new IngestOptions());
        var second = await Pipeline(db.Store).RunAsync([IngestInput.FromBytes("feed.txt", bytes)], new IngestOptions());
        Assert.Equal(1000, first.Stored);
        Assert.Equal(0, second.Stored);
        Assert.Equal(1000, second.AlreadyStored);
        Assert.Equal(1000, await db.CountAsync());
    }

    [Fact]
    public async Task Slow_store_keeps_the_queue_bounded()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var (store, fault) = FaultyStore.Wrap(db.Store, _ => Task.Delay(5));
        BoundedChunkQueue? queue = null;
        var pipeline = Pipeline(store, c => queue = new BoundedChunkQueue(c));
        var summary = await pipeline.RunAsync([IngestInput.FromBytes("feed.txt", Inputs.UrlFeed(4000))], new IngestOptions { BatchSize = 10, QueueCapacity = 3 })
            .WaitAsync(Limit);
        Assert.Equal(4000, summary.Stored);
        Assert.NotNull(queue);
        // The parser outran the store (it filled the queue) and was held at the bound.
        Assert.Equal(3, queue.PeakCount);
        Assert.True(fault.Calls > 1);
    }

    [Fact]
    public async Task Permanent_store_failure_fails_the_run_without_hanging_and_only_commits_count()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var (store, _) = FaultyStore.Wrap(db.Store, call => call >= 2 ? throw new IOException("disk gone") : Task.Delay(50));
        var run = Pipeline(store).RunAsync([IngestInput.FromBytes("feed.txt", Inputs.UrlFeed(5000))], new IngestOptions { BatchSize = 10, QueueCapacity = 2, MaxEventsPerTransaction = 100 });
        var ex = await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(Limit));
        Assert.Equal("disk gone", ex.Message);
        // Only the first transaction committed; the rest of the file is not in the store.
        var stored = await db.CountAsync();
        Assert.InRange(stored, 10, 100);
    }

    [Fact]
    public async Task Transient_store_failure_fails_the_run_and_a_rerun_completes_it_once()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var bytes = Inputs.UrlFeed(2000);
        var (store, _) = FaultyStore.Wrap(db.Store, call => call == 3 ? throw new TimeoutException("database is locked") : Task.CompletedTask);
        var options = new IngestOptions { BatchSize = 10, QueueCapacity = 2, MaxEventsPerTransaction = 100 };
        await Assert.ThrowsAsync<TimeoutException>(() => Pipeline(store).RunAsync([IngestInput.FromBytes("feed.txt", bytes)], options).WaitAsync(Limit));
        var before = await db.CountAsync();
        Assert.InRange(before, 1, 1999);
        var rerun = await Pipeline(db.Store).RunAsync([IngestInput.FromBytes("feed.txt", bytes)], options).WaitAsync(Limit);
        Assert.Equal(2000, rerun.Stored + rerun.AlreadyStored);
        Assert.Equal(before, rerun.AlreadyStored);
        Assert.Equal(2000, await db.CountAsync());
    }

    [Fact]
    public async Task Cancellation_mid_run_stops_promptly()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        using var cts = new CancellationTokenSource();
        var (store, _) = FaultyStore.Wrap(db.Store, async call =>
        {
            if (call == 2)
            {
                await cts.CancelAsync();
            }
            await Task.Delay(20);
        });
        var run = Pipeline(store).RunAsync([IngestInput.FromBytes("feed.txt", Inputs.UrlFeed(50_000))], new IngestOptions { BatchSize = 10, QueueCapacity = 2, MaxEventsPerTransaction = 100 }, null, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Limit));
        Assert.True(await db.CountAsync() < 50_000);
    }

    [Fact]
    public async Task Path_api_reads_gz_files_and_refuses_missing_paths()
    {
        await using var db = new TempDatabase();
        await db.Store.InitializeAsync();
        var dir = Path.Combine(Path.GetTempPath(), "belfry-pipeline-in-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "feed.txt.gz"), Inputs.Gzip(Inputs.UrlFeed(40)));
            var summary = await Pipeline(db.Store).RunAsync([dir, Path.Combine(dir, "missing.txt")], new IngestOptions());
            Assert.Equal(40, summary.Stored);
            Assert.Equal("no such file or directory", Assert.Single(summary.RefusedFiles).Reason);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
