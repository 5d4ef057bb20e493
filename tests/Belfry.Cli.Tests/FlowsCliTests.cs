using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Cli.Tests;

public sealed class FlowsCliTests : IDisposable
{
    readonly Belfry _belfry = new();

    public void Dispose() => _belfry.Dispose();

    [Fact]
    public async Task FlowsListen_DnsAmplificationSent_JsonStartLineThenAttacksList()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreeUdpPort();
        var listen = Task.Run(() => _belfry.Run("flows", "listen", "--json", "--seconds", "9", "--netflow", $"127.0.0.1:{port}",
            "--networks", "203.0.113.0/24", "--threshold-pps", "10000"), ct);
        await WaitUntilBoundAsync(port, listen);

        // 50,000 pps of DNS replies (5× the threshold) sampled 1:10, for 3 s, with some background.
        var sent = await new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = new IPEndPoint(IPAddress.Loopback, port),
            Format = FlowExportFormat.NetFlowV9,
            BackgroundRecordsPerSecond = 1_000,
            BackgroundDestinations = [NetPrefix.Parse("203.0.113.0/24")],
            Patterns = [TrafficPattern.TryParse("dst=203.0.113.10,proto=udp,sport=53,pps=50000,size=1200,sampling=10,name=dns", out var p, out _) ? p! : throw new InvalidOperationException()],
            Duration = TimeSpan.FromSeconds(3),
        }).RunAsync(ct);
        var run = await listen;

        Assert.True(run.ExitCode == 0, run.Err);
        Assert.True(sent.Records > 10_000);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var start = Assert.Single(events, e => e.GetProperty("event").GetString() == "started");
        var attack = start.GetProperty("attack");
        Assert.Equal("203.0.113.10", attack.GetProperty("target").GetString());
        Assert.Equal("dns_amplification", attack.GetProperty("vectors")[0].GetString());
        Assert.True(attack.GetProperty("detected").GetDateTime() >= attack.GetProperty("start").GetDateTime());
        Assert.True(attack.GetProperty("peak_pps").GetDouble() > 10_000);
        // The mitigation is a dry run (no BGP configured): shown on stderr, stdout stays JSON.
        Assert.Contains("ipv4-flowspec add match destination 203.0.113.10/32 protocol udp source-port ==53 then discard", run.Err, StringComparison.Ordinal);

        var list = _belfry.Run("attacks", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        var stored = Assert.Single(JsonDocument.Parse(list.Out).RootElement.EnumerateArray());
        Assert.Equal(attack.GetProperty("id").GetString(), stored.GetProperty("id").GetString());
        Assert.Equal("203.0.113.10", stored.GetProperty("target").GetString());
        Assert.Equal("dns_amplification", stored.GetProperty("vectors")[0].GetString());
    }

    [Theory]
    [InlineData(false, "mitigation: gobgp at 127.0.0.1:50051")]
    [InlineData(true, "mitigation: dry run")]
    public void FlowsListen_ConfigFromDocs_NetworksGroupsAndMitigationFromBelfryJson(bool dryRun, string mitigation)
    {
        // The ddos section exactly as docs/ddos.md shows it; absent keys keep their defaults.
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "ddos.md"));
        var start = docs.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        File.WriteAllText(Path.Combine(_belfry.DataFolder, "belfry.json"), docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)]);
        string[] args = ["flows", "listen", "--seconds", "1", "--netflow", $"127.0.0.1:{FreeUdpPort()}", "--networks", "203.0.113.0/24", "--threshold-pps", "12345"];

        var r = _belfry.Run(dryRun ? [.. args, "--dry-run"] : args);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("ddos: 3 monitored network(s) (0 registered organisation(s)), 2 host group(s); default host thresholds pps 12,345, Mbit/s 1,000, SYN pps 20,000", r.Err, StringComparison.Ordinal);
        Assert.Contains(mitigation, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void AttacksList_NoAttacks_EmptyArray()
    {
        var r = _belfry.Run("attacks", "list", "--json");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(r.Out).RootElement.GetArrayLength());
    }

    [Fact]
    public void FlowsDecode_CiscoIpfixCapture_OneJsonLinePerRecordAndSummary()
    {
        // 100-IPFIXv10-CISCO: 6 IPFIX datagrams, 12 data records by tshark's count (captures/README.md).
        var r = _belfry.Run("flows", "decode", "--json", SharedFiles.Path("captures", "100-IPFIXv10-CISCO_traffic-00.pcap"));

        Assert.Equal(0, r.ExitCode);
        var records = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(12, records.Count);
        Assert.All(records, x => Assert.Equal("ipfix", x.GetProperty("source").GetString()));
        Assert.All(records, x => Assert.True(x.GetProperty("packets").GetUInt64() >= 1));
        var summary = JsonDocument.Parse(r.Err).RootElement;
        Assert.Equal(12, summary.GetProperty("records").GetInt64());
        Assert.Equal(6, summary.GetProperty("statuses").GetProperty("Ok").GetInt64());
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "ddos.md")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("docs/ddos.md not found above the test binaries");
    }

    static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Waits until a socket is bound to 127.0.0.1:<paramref name="port"/> (read from /proc/net/udp, without touching the port).</summary>
    static async Task WaitUntilBoundAsync(int port, Task running)
    {
        var local = $"0100007F:{port:X4}";
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !running.IsCompleted)
        {
            await foreach (var line in File.ReadLinesAsync("/proc/net/udp", TestContext.Current.CancellationToken))
            {
                if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var address, ..] && address == local)
                {
                    return;
                }
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"belfry flows listen did not bind 127.0.0.1:{port}");
    }
}
