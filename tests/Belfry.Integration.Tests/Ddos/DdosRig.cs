using System.Net;
using System.Net.Sockets;
using Belfry.Cli.Hosting;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;

namespace Belfry.Integration.Tests.Ddos;

/// <summary>
/// Generator → real <see cref="FlowCollector"/> over loopback UDP → the DDoS engine, with time driven
/// by the test: each synthetic second is sent (in a short real-time slice), the test waits until the
/// collector has decoded every record sent, and only then closes the second with a tick. So results
/// do not depend on how busy the machine is, only on the records that really crossed the socket.
/// </summary>
internal sealed class DdosRig : IAsyncDisposable
{
    public static readonly DateTime T0 = new(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>Monitored in the tests: attacks go to <see cref="Victims"/>, background to <see cref="Office"/>.</summary>
    public static readonly NetPrefix Victims = NetPrefix.Parse("203.0.113.0/24");
    public static readonly NetPrefix Office = NetPrefix.Parse("198.51.100.0/24");

    /// <summary>A synthetic second is sent in this much real time, at rates scaled up to match.</summary>
    const double SliceSeconds = 0.25;
    static readonly TimeSpan s_arrivalTimeout = TimeSpan.FromSeconds(30);

    int _seed = 10;
    uint _sequence;

    public DdosRig(DetectorOptions options, DdosEngineOptions? engine = null, Belfry.Mitigation.DryRunMitigator? dryRun = null)
    {
        var e = engine ?? new DdosEngineOptions();
        Engine = new DdosEngine(options, e with
        {
            OnRaised = ev =>
            {
                lock (Raised)
                {
                    Raised.Add(ev);
                }
                e.OnRaised?.Invoke(ev);
            },
        }, dryRun);
        Collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            SFlowEndpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        }, Engine.CreateConsumer);
        Collector.Start();
    }

    public DdosEngine Engine { get; }
    public FlowCollector Collector { get; }

    /// <summary>Events in the order the detector raised them (filled during <see cref="DdosEngine.Tick"/>).</summary>
    public List<AttackEvent> Raised { get; } = [];

    public DateTime Now { get; private set; } = T0;

    /// <summary>Sampling rate (1 in N) of the background records.</summary>
    public uint BackgroundSampling { get; set; } = 1;

    public IReadOnlyList<AttackEvent> Of(AttackEventKind kind)
    {
        lock (Raised)
        {
            return [.. Raised.Where(e => e.Kind == kind)];
        }
    }

    /// <summary>Detector options over <see cref="Victims"/> and <see cref="Office"/>, one group, static thresholds only.</summary>
    public static DetectorOptions Options(TrafficThresholds thresholds, Func<HostGroup, HostGroup>? group = null, string? organisation = "org-victims")
    {
        var g = new HostGroup
        {
            Name = HostGroup.DefaultName,
            Thresholds = thresholds,
            HostBaseline = new BaselineOptions { Enabled = false },
            PrefixBaseline = new BaselineOptions { Enabled = false },
        };
        return new DetectorOptions
        {
            Networks = [new MonitoredNetwork(Victims, HostGroup.DefaultName, organisation), new MonitoredNetwork(Office, HostGroup.DefaultName, "org-office")],
            Groups = [group?.Invoke(g) ?? g],
            HoldDownSeconds = 2,
        };
    }

    public static TrafficPattern Pattern(string target, byte protocol, double pps, int size, ushort sourcePort = 0, byte flags = 0, uint sampling = 20, int sources = 500) => new()
    {
        Destination = NetPrefix.Parse(target.Contains('/', StringComparison.Ordinal) ? target : target + "/32"),
        Protocol = protocol,
        SourcePort = sourcePort,
        DestinationPort = protocol == 17 && sourcePort != 0 ? (ushort)40_000 : (ushort)0,
        TcpFlags = flags,
        PacketsPerSecond = pps,
        PacketSize = size,
        SamplingRate = sampling,
        SourceCount = sources,
        Name = "attack",
    };

    /// <summary>
    /// One synthetic second: <paramref name="patterns"/> (and <paramref name="background"/> records/s to
    /// <see cref="Office"/>) exported as <paramref name="format"/>; waits for every record, then ticks.
    /// </summary>
    /// <returns>What the generator sent (exact per-stream packets).</returns>
    public async Task<FlowGeneratorResult> SecondAsync(FlowExportFormat format, double background, params TrafficPattern[] patterns)
    {
        var result = await SendAsync(format, background, patterns);
        Tick();
        return result;
    }

    public async Task<FlowGeneratorResult> SendAsync(FlowExportFormat format, double background, params TrafficPattern[] patterns)
    {
        var scale = 1 / SliceSeconds;
        var before = Collector.Snapshot().Records;
        var generator = new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = Collector.EndPointOf(format == FlowExportFormat.SFlow ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow),
            Format = format,
            BackgroundRecordsPerSecond = background * scale,
            BackgroundDestinations = [Office],
            BackgroundSamplingRate = BackgroundSampling,
            Patterns = [.. patterns.Select(p => p with { PacketsPerSecond = p.PacketsPerSecond * scale })],
            Duration = TimeSpan.FromSeconds(SliceSeconds),
            Seed = _seed++,
        });
        var result = await generator.RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, result.SendErrors);
        await WaitForRecordsAsync(before + result.Records);
        return result;
    }

    /// <summary>IPFIX records built by hand (for what the generator does not make, e.g. fragments), sent and awaited.</summary>
    public async Task SendRecordsAsync(IReadOnlyList<FlowRecord> records)
    {
        var before = Collector.Snapshot().Records;
        var target = Collector.EndPointOf(FlowListenerKind.NetFlow);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        for (var i = 0; i < records.Count; i += 20)
        {
            var chunk = records.Skip(i).Take(20).ToArray();
            await socket.SendToAsync(IpfixWriter.Flows(chunk, (uint)(Now - DateTime.UnixEpoch).TotalSeconds, _sequence, 1), SocketFlags.None, target, TestContext.Current.CancellationToken);
            _sequence += (uint)chunk.Length;
        }
        await WaitForRecordsAsync(before + records.Count);
    }

    async Task WaitForRecordsAsync(long expected)
    {
        var until = DateTime.UtcNow + s_arrivalTimeout;
        while (Collector.Snapshot().Records < expected && DateTime.UtcNow < until)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
        Assert.Equal(expected, Collector.Snapshot().Records);
    }

    /// <summary>Closes the current synthetic second (with or without traffic).</summary>
    public void Tick()
    {
        Now = Now.AddSeconds(1);
        Engine.Tick(Now);
    }

    public void Ticks(int n)
    {
        for (var i = 0; i < n; i++)
        {
            Tick();
        }
    }

    public static ulong PacketsOf(FlowGeneratorResult r, string stream = "attack") =>
        r.Streams.Where(s => s.Name == stream).Aggregate(0UL, (sum, s) => sum + s.Packets);

    public async ValueTask DisposeAsync()
    {
        await Collector.DisposeAsync();
        await Engine.DisposeAsync();
    }
}
