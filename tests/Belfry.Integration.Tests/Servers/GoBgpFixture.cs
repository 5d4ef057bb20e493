using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Integration.Tests.Servers;

/// <summary>
/// Two real gobgpd (Debian package gobgpd) on loopback, peering with each other: "belfry"
/// (AS 64512, the speaker Belfry drives through its API) and "router" (AS 64513, standing for an
/// ISP edge router that takes the mitigation routes). Each has its own generated TOML file, gRPC API
/// port and BGP port; "router" listens passively and "belfry" connects to it, so two daemons share
/// 127.0.0.1. Ready when the router sees the session Established with all four address families.
/// </summary>
/// <remarks>
/// Debian's package also installs a systemd unit that reads /etc/gobgpd.conf; it is not used here
/// (and only starts when that file exists). Same pattern as <see cref="SmtpServerFixture"/>: fail
/// with the install command when the binaries are missing, kill the process trees on dispose.
/// </remarks>
public sealed class GoBgpFixture : IAsyncLifetime
{
    public const string Package = "gobgpd";
    public const uint BelfryAs = 64512;
    public const uint RouterAs = 64513;

    static readonly TimeSpan s_establishTimeout = TimeSpan.FromSeconds(60);

    readonly List<(string Name, Process Process, StringBuilder Log)> _daemons = [];
    string _belfryConfig = "";

    public static string BinDirectory => Environment.GetEnvironmentVariable("BELFRY_TEST_GOBGP_DIR") ?? "/usr/bin";
    public static string GoBgpd => Path.Combine(BinDirectory, "gobgpd");
    public static string GoBgp => Path.Combine(BinDirectory, "gobgp");

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "belfry-gobgp-" + Guid.NewGuid().ToString("N"));
    public int BelfryApiPort { get; private set; }
    public int RouterApiPort { get; private set; }
    public int BelfryBgpPort { get; private set; }
    public int RouterBgpPort { get; private set; }

    /// <summary>How long the two daemons took from start to an Established session.</summary>
    public TimeSpan TimeToEstablished { get; private set; }

    /// <summary>Options that point a <see cref="GoBgpMitigator"/> at the "belfry" daemon.</summary>
    public BgpOptions BelfryOptions => new()
    {
        GoBgpPath = GoBgp,
        Api = $"127.0.0.1:{BelfryApiPort}",
        LocalAs = BelfryAs,
        RouterId = "127.0.0.1",
    };

    BgpOptions RouterOptions => BelfryOptions with { Api = $"127.0.0.1:{RouterApiPort}", LocalAs = RouterAs, RouterId = "127.0.0.2" };

    public async ValueTask InitializeAsync()
    {
        RequireBinaries();
        System.IO.Directory.CreateDirectory(Directory);
        var ports = FreeTcpPorts(4);
        (BelfryApiPort, RouterApiPort, BelfryBgpPort, RouterBgpPort) = (ports[0], ports[1], ports[2], ports[3]);

        var loopback = new[] { "127.0.0.1" };
        var belfryConfig = GoBgpdConfig.ToToml(BelfryAs, "127.0.0.1", BelfryBgpPort, loopback,
            [new GoBgpPeer("127.0.0.1", RouterAs) { RemotePort = RouterBgpPort, LocalAddress = "127.0.0.1", ConnectRetrySeconds = 1 }]);
        var routerConfig = GoBgpdConfig.ToToml(RouterAs, "127.0.0.2", RouterBgpPort, loopback,
            [new GoBgpPeer("127.0.0.1", BelfryAs) { Passive = true }]);

        _belfryConfig = belfryConfig;
        var started = Stopwatch.StartNew();
        Start("router", routerConfig, RouterApiPort);
        Start("belfry", belfryConfig, BelfryApiPort);
        await WaitForEstablishedAsync();
        TimeToEstablished = started.Elapsed;
    }

    /// <summary>Kills the "belfry" daemon (as a crash would): its RIB is gone, its API refuses connections.</summary>
    public async Task StopBelfryDaemonAsync()
    {
        var i = _daemons.FindIndex(d => d.Name == "belfry");
        var (_, process, _) = _daemons[i];
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        _daemons.RemoveAt(i);
    }

    /// <summary>Starts the "belfry" daemon again with the same configuration and ports, and waits for its session to the router.</summary>
    public async Task StartBelfryDaemonAsync()
    {
        Start("belfry", _belfryConfig, BelfryApiPort);
        await WaitForEstablishedAsync();
    }

    /// <summary>The router's view: routes it received from Belfry's daemon in one address family.</summary>
    public async Task<IReadOnlyList<GoBgpRoute>> RouterRibAsync(string family, CancellationToken cancellationToken = default)
    {
        var result = await RunGoBgpAsync(RouterOptions, GoBgpCommand.ListRib(RouterOptions, family), cancellationToken);
        return GoBgpRibParser.ParseRib(result.StandardOutput);
    }

    /// <summary>The router's RIB as gobgp prints it (JSON), for failure messages and captured test data.</summary>
    public async Task<string> RouterRibTextAsync(string family, bool json = true)
    {
        var args = GoBgpCommand.ListRib(RouterOptions, family).Where(a => json || a != "-j").ToList();
        return (await RunGoBgpAsync(RouterOptions, args, default)).StandardOutput;
    }

    /// <summary>Polls the router until <paramref name="condition"/> holds for its RIB of <paramref name="family"/>: BGP updates are asynchronous.</summary>
    public async Task<IReadOnlyList<GoBgpRoute>> WaitForRouterRibAsync(string family, Func<IReadOnlyList<GoBgpRoute>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var routes = await RouterRibAsync(family);
            if (condition(routes))
            {
                return routes;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The router's {family} RIB did not reach the expected state; it holds:\n{await RouterRibTextAsync(family, json: false)}\nLogs:\n{Logs()}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process, _) in _daemons)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    static void RequireBinaries()
    {
        foreach (var binary in new[] { GoBgpd, GoBgp })
        {
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException(
                    $"{binary} not found. The BGP integration tests need GoBGP: install it with 'apt-get install -y {Package}' "
                    + "(or set BELFRY_TEST_GOBGP_DIR to the folder holding gobgpd and gobgp).");
            }
        }
    }

    void Start(string name, string config, int apiPort)
    {
        var file = Path.Combine(Directory, name + ".toml");
        File.WriteAllText(file, config);
        var psi = new ProcessStartInfo(GoBgpd)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in new[] { "-f", file, "-t", "toml", "--api-hosts", $"127.0.0.1:{apiPort}", "--pprof-disable", "--log-plain" })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {GoBgpd}.");
        var log = new StringBuilder();
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add((name, process, log));
    }

    async Task WaitForEstablishedAsync()
    {
        var deadline = DateTime.UtcNow + s_establishTimeout;
        var last = "";
        while (true)
        {
            foreach (var (name, process, _) in _daemons)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"gobgpd '{name}' exited with code {process.ExitCode}: {Logs()}");
                }
            }
            try
            {
                var result = await RunGoBgpAsync(RouterOptions, GoBgpCommand.ListNeighbors(RouterOptions), default);
                if (result.Succeeded)
                {
                    var neighbors = GoBgpRibParser.ParseNeighbors(result.StandardOutput);
                    if (neighbors.Count == 1 && neighbors[0].IsEstablished)
                    {
                        return;
                    }
                    last = string.Join(", ", neighbors.Select(n => $"{n.Address} AS{n.PeerAs} state {n.SessionState}"));
                }
                else
                {
                    last = result.StandardError.Trim();
                }
            }
            catch (MitigationException e)
            {
                last = e.Message;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The BGP session between the two gobgpd was not Established within {s_establishTimeout.TotalSeconds} s (last: {last}). Logs:\n{Logs()}");
            }
            await Task.Delay(200);
        }
    }

    static Task<GoBgpRunResult> RunGoBgpAsync(BgpOptions options, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        new GoBgpProcessRunner(options).RunAsync(args, cancellationToken);

    public string Logs()
    {
        var sb = new StringBuilder();
        foreach (var (name, _, log) in _daemons)
        {
            lock (log)
            {
                sb.Append("--- ").Append(name).AppendLine().Append(log);
            }
        }
        return sb.ToString();
    }

    static int[] FreeTcpPorts(int count)
    {
        // Hold all listeners until every port is chosen so that the ports differ.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GoBgpCollection : ICollectionFixture<GoBgpFixture>
{
    public const string Name = "gobgp";
}
