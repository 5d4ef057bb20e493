using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Belfry.Cli.Tests;

/// <summary>
/// The Shadowserver schema on a machine with nothing beside Belfry: the built-in facts, a newer
/// schema installed from a file or a URL (a real HTTP server on loopback), and belfry.json's setting.
/// </summary>
public sealed class SchemaCliTests : IDisposable
{
    readonly Belfry _belfry = new();
    readonly string _empty = Path.Combine("/tmp", "belfry-empty-" + Guid.NewGuid().ToString("N"));

    public SchemaCliTests() => Directory.CreateDirectory(_empty);

    public void Dispose()
    {
        _belfry.Dispose();
        try
        {
            Directory.Delete(_empty, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    static string ReferenceSchema => SharedFiles.Path("reference", "shadowserver", "intelmq.json");

    [Fact]
    public void Ingest_GeneratedScanHttp_FromAnEmptyFolderWithNoSharedAbove_StoresEvents()
    {
        for (var dir = new DirectoryInfo(_empty); dir is not null; dir = dir.Parent)
        {
            Assert.False(Directory.Exists(Path.Combine(dir.FullName, "shared")), $"{dir.FullName} has a shared/ folder: the test would prove nothing");
        }

        var generated = _belfry.RunIn(_empty, "feeds", "generate", "--type", "scan_http", "--rows", "300", "--out", _empty);
        var file = generated.Out.Trim();
        var ingest = _belfry.RunIn(_empty, "ingest", "--json", file);
        var list = _belfry.RunIn(_empty, "feeds", "list");

        Assert.True(generated.ExitCode == 0, generated.Err);
        Assert.Matches(@"\d{4}-\d\d-\d\d-scan_http-", Path.GetFileName(file));
        Assert.True(ingest.ExitCode == 0, ingest.Err);
        var s = JsonDocument.Parse(ingest.Out).RootElement;
        Assert.Equal(300, s.GetProperty("parsed").GetInt64());
        var duplicates = s.GetProperty("expert_dropped").EnumerateObject().Sum(p => p.Value.GetInt64());
        Assert.True(s.GetProperty("stored").GetInt64() >= 290);
        Assert.Equal(300, s.GetProperty("stored").GetInt64() + s.GetProperty("already_stored").GetInt64() + duplicates);
        Assert.Equal(0, s.GetProperty("quarantined").GetInt64());
        Assert.Contains("Accessible-HTTP", s.GetProperty("events_per_feed").EnumerateObject().Select(p => p.Name));
        Assert.Contains("shadowserver", list.Out, StringComparison.Ordinal);
        Assert.Contains("170 report types, created 2026-03-24T15:31:20Z, from built-in (sha256 ", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateSchema_FromLoopbackUrl_ValidatedInstalledAndUsedBeforeTheConfiguredOne()
    {
        // A newer schema: one report type fewer, a later date.
        var json = JsonNode.Parse(File.ReadAllText(ReferenceSchema))!.AsObject();
        json["_meta"]!["date_created"] = "2027-01-02T03:04:05Z";
        json.Remove("scan_ftp");
        using var server = new LoopbackServer(Encoding.UTF8.GetBytes(json.ToJsonString()));
        File.WriteAllText(Path.Combine(_belfry.DataFolder, "belfry.json"), JsonSerializer.Serialize(new { shadowserver_schema = ReferenceSchema }));

        var configured = _belfry.Run("feeds", "list");
        var update = _belfry.Run("feeds", "update-schema", server.Url);
        var list = _belfry.Run("feeds", "list");

        Assert.Contains($"170 report types, created 2026-03-24T15:31:20Z, from {ReferenceSchema}", configured.Out, StringComparison.Ordinal);
        Assert.True(update.ExitCode == 0, update.Err);
        Assert.Contains("Installed 169 Shadowserver report types (created 2027-01-02T03:04:05Z)", update.Out, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
        var installed = Path.Combine(_belfry.DataFolder, "shadowserver", "intelmq.json");
        Assert.Contains($"169 report types, created 2027-01-02T03:04:05Z, from {installed}", list.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("oversize")]
    [InlineData("404")]
    public void UpdateSchema_BadDownload_RefusedAndTheCurrentCopyKept(string answer)
    {
        Assert.Equal(0, _belfry.Run("feeds", "update-schema", ReferenceSchema).ExitCode);
        var installed = Path.Combine(_belfry.DataFolder, "shadowserver", "intelmq.json");
        var before = File.ReadAllBytes(installed);
        var body = answer == "oversize" ? new byte[3 << 20] : Encoding.UTF8.GetBytes(answer);
        using var server = new LoopbackServer(body, status: answer == "404" ? 404 : 200);

        var r = _belfry.Run("feeds", "update-schema", "--max-mib", "2", server.Url);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a usable Shadowserver schema, the current one is kept", r.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(installed));
        Assert.False(File.Exists(installed + ".new"));
        Assert.Contains("170 report types", _belfry.Run("feeds", "list").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void CompileSchema_ReferenceSchema_WritesTheBuiltInFacts()
    {
        var facts = Path.Combine(_empty, "facts.tsv");

        var r = _belfry.Run("feeds", "compile-schema", ReferenceSchema, "--out", facts);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("Wrote 170 report types", r.Out, StringComparison.Ordinal);
        var text = File.ReadAllText(facts);
        Assert.StartsWith("# Shadowserver report-format facts", text, StringComparison.Ordinal);
        Assert.Contains("\nreport\tscan_http\tscan_http\tAccessible-HTTP\t", text, StringComparison.Ordinal);
    }

    /// <summary>A real HTTP server on 127.0.0.1 that answers every request with one body.</summary>
    sealed class LoopbackServer : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly Task _loop;
        int _requests;

        public LoopbackServer(byte[] body, int status = 200)
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/intelmq.json";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                    Interlocked.Increment(ref _requests);
                    try
                    {
                        ctx.Response.StatusCode = status;
                        ctx.Response.ContentType = "application/json";
                        await ctx.Response.OutputStream.WriteAsync(body);
                        ctx.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or IOException)
                    {
                        // The client hung up (a size bound): serve the next one.
                    }
                }
            });
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
