using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Belfry.Cli.Hosting;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;
using Belfry.Mitigation;

namespace Belfry.Cli.Commands;

/// <summary>
/// `belfry flows`: flow telemetry. `decode` reads captures offline, `listen` runs the UDP collector,
/// `send` is the traffic generator (operators test their collectors with it), `bench-loopback`
/// measures generator and collector together over loopback.
/// </summary>
static class FlowsCommand
{
    public static Command Create() => new("flows", "Flow telemetry: NetFlow v5/v9, IPFIX and sFlow v5")
    {
        DecodeCommand(),
        ListenCommand(),
        SendCommand(),
        BenchLoopbackCommand(),
        BenchDetectCommand(),
    };

    /// <summary>
    /// The consumers of each receive loop, one instance per loop (each is called by that loop only).
    /// Add one line per consumer: the DDoS engine's per-loop counter shard is the first.
    /// </summary>
    static Func<FlowLoopContext, IFlowRecordConsumer> Consumers(DdosEngine? ddos) => loop => CompositeFlowRecordConsumer.Combine(
    [
        .. ddos is null ? [] : new[] { ddos.CreateConsumer(loop) },
    ]);

    static Command DecodeCommand()
    {
        var files = new Argument<string[]>("files") { Description = "pcap files, decoded in this order with shared template state", Arity = ArgumentArity.OneOrMore };
        var ports = new Option<int[]>("--port") { Description = "Only UDP datagrams to these destination ports (default: all)", AllowMultipleArgumentsPerToken = true };
        var decode = new Command("decode", "Decode NetFlow/IPFIX/sFlow captures to JSON lines (sampling-corrected packets and bytes); summary on stderr") { files, ports };
        decode.SetAction(parse => Run(() =>
        {
            var decoder = new FlowFileDecoder();
            foreach (var p in parse.GetValue(ports) ?? [])
            {
                decoder.Ports.Add(p is > 0 and <= 65535 ? (ushort)p : throw new CliException($"--port {p}: not a port"));
            }
            using var stdout = Console.OpenStandardOutput();
            var results = FlowJsonLines.DecodeCaptures(parse.GetValue(files)!, stdout, decoder);
            var json = parse.GetValue(GlobalOptions.Json);
            var failed = false;
            foreach (var r in results)
            {
                if (r.Error is not null || r.Status != Flows.Pcap.PcapStatus.End)
                {
                    failed = true;
                    Console.Error.WriteLine($"belfry: {r.Path}: {r.Error ?? r.Status.ToString()}");
                }
            }
            Console.Error.WriteLine(json ? DecodeSummaryJson(decoder.Counters) : DecodeSummaryText(decoder.Counters));
            return failed ? 1 : 0;
        }));
        return decode;
    }

    static Command ListenCommand()
    {
        var netflow = EndpointsOption("--netflow", "NetFlow v5/v9 and IPFIX listen address(es), e.g. 127.0.0.1:2055 or [::]:2055");
        var sflow = EndpointsOption("--sflow", "sFlow v5 listen address(es), e.g. 127.0.0.1:6343");
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl+C)" };
        var interval = new Option<double>("--interval") { Description = "Seconds between counter reports (on stderr, not with --json)", DefaultValueFactory = _ => 5 };
        var (rcvbuf, force, loops) = SocketOptions();
        var maxExporters = new Option<int>("--max-exporters") { Description = "Exporters counted one by one per loop; more fold into \"other\"", DefaultValueFactory = _ => FlowCollectorOptions.DefaultMaxExporters };
        var networks = new Option<string[]>("--networks")
        {
            Description = "Monitored networks besides the registered organisations' prefixes and belfry.json's ddos.networks (CIDR,...)",
            AllowMultipleArgumentsPerToken = true,
        };
        var thresholdPps = new Option<double?>("--threshold-pps") { Description = "Per-host packets/s threshold of the default host group" };
        var thresholdMbps = new Option<double?>("--threshold-mbps") { Description = "Per-host Mbit/s threshold of the default host group" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Never touch BGP: print the gobgp commands instead (the default unless ddos.bgp is configured)" };
        var listen = new Command("listen", "Run the flow collector with DDoS detection: attacks on stdout (--json: one JSON line per attack event), stored in belfry.db and as events for the owning organisation, mitigated through BGP (or a dry run)")
        {
            netflow, sflow, seconds, interval, rcvbuf, force, loops, maxExporters, networks, thresholdPps, thresholdMbps, dryRun,
        };
        listen.SetHostAction(async (parse, host, ct) =>
        {
            var options = new FlowCollectorOptions
            {
                NetFlowEndpoints = ParseEndpoints(parse.GetValue(netflow), "--netflow"),
                SFlowEndpoints = ParseEndpoints(parse.GetValue(sflow), "--sflow"),
                ReceiveBufferBytes = parse.GetValue(rcvbuf),
                ForceReceiveBuffer = parse.GetValue(force),
                LoopsPerEndpoint = parse.GetValue(loops),
                MaxExporters = parse.GetValue(maxExporters),
            };
            var flags = new DdosFlags
            {
                Networks = parse.GetValue(networks) ?? [],
                ThresholdPps = parse.GetValue(thresholdPps),
                ThresholdMbps = parse.GetValue(thresholdMbps),
                DryRun = parse.GetValue(dryRun),
            };
            return await RunListenAsync(host, options, flags, parse.GetValue(GlobalOptions.Json), parse.GetValue(seconds), parse.GetValue(interval), ct);
        });
        return listen;
    }

    /// <summary>The collector with DDoS detection until cancelled (or for <paramref name="seconds"/>): `flows listen` and part of `belfry up`.</summary>
    internal static async Task<int> RunListenAsync(BelfryHost host, FlowCollectorOptions options, DdosFlags flags, bool json, double seconds, double interval, CancellationToken ct)
    {
        if (options.NetFlowEndpoints.Count + options.SFlowEndpoints.Count == 0)
        {
            throw new CliException("give at least one of --netflow ADDR:PORT and --sflow ADDR:PORT");
        }
        options = WithExporterTrust(options, host.Config.Flows);
        var ddos = host.Config.Ddos;
        var orgs = await host.Store.GetOrganisationsAsync(ct);
        var detector = DdosHosting.BuildDetectorOptions(ddos, orgs, flags);
        var bgp = DdosHosting.BuildBgpOptions(ddos.Bgp, flags.DryRun);
        var mitigator = DdosHosting.CreateMitigator(bgp);
        using var disposeMitigator = mitigator as IDisposable;
        // Route ownership lives in the deployment's database for a real router, so a restarted Belfry
        // takes over its routes; a dry run announces nothing and keeps its pretend routes in memory.
        using var mitigation = new MitigationManager(mitigator, DdosHosting.BuildPolicy(ddos), store: bgp.DryRun ? null : host.Store, time: host.Clock);
        foreach (var line in AttackText.Mitigation(await mitigation.ReconcileAsync(host.Clock.GetUtcNow().UtcDateTime, ct), []))
        {
            await Console.Error.WriteLineAsync(line);
        }
        var output = json ? Console.Error : Console.Out;
        await using var engine = new DdosEngine(detector, new DdosEngineOptions
        {
            Events = host.Store,
            Attacks = host.Store,
            Mitigation = mitigation,
            OrganisationNames = orgs.ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal),
            OnReport = async r =>
            {
                await Console.Out.WriteLineAsync(json ? AttackJson.ToJsonLine(r.Event) : AttackText.Line(r));
                foreach (var line in AttackText.Mitigation(r.Mitigation, r.Commands))
                {
                    await output.WriteLineAsync(line);
                }
                await Console.Out.FlushAsync();
            },
            OnWithdrawn = async (outcomes, commands) =>
            {
                foreach (var line in AttackText.Mitigation(outcomes, commands))
                {
                    await output.WriteLineAsync(line);
                }
            },
            OnError = m => Console.Error.WriteLineAsync($"belfry: {m}"),
        }, mitigator as DryRunMitigator);
        await using var collector = new FlowCollector(options, Consumers(engine));
        Start(collector);
        PrintListeners(collector, Console.Error);
        await Console.Error.WriteLineAsync(DescribeExporters(options));
        await Console.Error.WriteLineAsync(DescribeDetection(detector, orgs.Count, bgp));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (seconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        var clock = engine.RunClockAsync(stop.Token);
        var every = TimeSpan.FromSeconds(Math.Max(0.1, interval));
        var previous = collector.Snapshot();
        var last = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            var now = collector.Snapshot();
            var elapsed = Stopwatch.GetElapsedTime(last).TotalSeconds;
            last = Stopwatch.GetTimestamp();
            if (!json)
            {
                await Console.Error.WriteLineAsync(SnapshotText(now, previous, elapsed));
            }
            previous = now;
        }
        await clock;
        await collector.StopAsync();
        await engine.FlushAsync();
        return 0;
    }

    /// <summary>belfry.json `flows`: the allowed exporters (per-exporter bounds are allow rules too) and the sampling bound.</summary>
    internal static FlowCollectorOptions WithExporterTrust(FlowCollectorOptions options, BelfryConfig.FlowsConfig flows)
    {
        if (flows.MaxSamplingRate == 0)
        {
            throw new CliException("belfry.json flows.max_sampling_rate: must be at least 1");
        }
        var rules = new List<FlowExporterRule>();
        foreach (var e in flows.Exporters)
        {
            rules.Add(ParseExporter(e, 0, "flows.exporters"));
        }
        foreach (var (e, rate) in flows.ExporterMaxSamplingRates)
        {
            if (rate == 0)
            {
                throw new CliException($"belfry.json flows.exporter_max_sampling_rates.{e}: must be at least 1");
            }
            rules.Add(ParseExporter(e, rate, "flows.exporter_max_sampling_rates"));
        }
        return options with { AllowedExporters = rules.Count == 0 ? null : rules, MaxSamplingRate = flows.MaxSamplingRate };
    }

    static FlowExporterRule ParseExporter(string text, uint rate, string key) =>
        NetPrefix.TryParse(text, out var p) ? new FlowExporterRule(p, rate) : throw new CliException($"belfry.json {key}: '{text}' is not an IP address or prefix");

    static string DescribeExporters(FlowCollectorOptions o)
    {
        var bound = o.MaxSamplingRate.ToString("N0", CultureInfo.InvariantCulture);
        if (o.AllowedExporters is not { } rules)
        {
            return $"flows: exporters allowed: loopback only (list routers in belfry.json flows.exporters; others are counted and ignored); sampling rates believed up to 1:{bound}";
        }
        var list = string.Join(", ", rules.Select(r => r.MaxSamplingRate == 0 ? r.Prefix.ToString() : string.Create(CultureInfo.InvariantCulture, $"{r.Prefix} (up to 1:{r.MaxSamplingRate:N0})")));
        return $"flows: exporters allowed: {list}; others are counted and ignored; sampling rates believed up to 1:{bound}";
    }

    static string DescribeDetection(DetectorOptions d, int organisations, BgpOptions bgp)
    {
        var g = d.Groups.FirstOrDefault(x => x.Name == HostGroup.DefaultName) ?? HostGroup.Default;
        var t = g.Thresholds;
        var mitigation = bgp.DryRun ? "dry run (gobgp commands printed, nothing announced)" : $"gobgp at {bgp.Api}";
        return string.Create(CultureInfo.InvariantCulture,
            $"ddos: {d.Networks.Count} monitored network(s) ({organisations} registered organisation(s)), {d.Groups.Count} host group(s); default host thresholds pps {t.Pps?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}, Mbit/s {t.Mbps?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}, SYN pps {t.SynPps?.ToString("N0", CultureInfo.InvariantCulture) ?? "-"}; mitigation: {mitigation}")
            + (d.Networks.Count == 0 ? "\nddos: nothing monitored: register organisations (belfry orgs import), or give --networks CIDR,... or ddos.networks in belfry.json" : "");
    }

    static Command SendCommand()
    {
        var to = new Option<string>("--to") { Description = "Collector address, e.g. 127.0.0.1:2055", Required = true };
        var format = FormatOption();
        var rate = new Option<double>("--rate") { Description = "Background records per second", DefaultValueFactory = _ => 10_000 };
        var seconds = new Option<double>("--seconds") { Description = "Send for this many seconds", DefaultValueFactory = _ => 10 };
        var count = new Option<long>("--count") { Description = "Stop after exactly this many records (0: no limit)" };
        var patterns = new Option<string[]>("--pattern")
        {
            Description = "Attack/test stream: dst=PREFIX[,src=PREFIX][,sources=N][,proto=udp|tcp|icmp][,sport=N][,dport=N][,flags=S][,pps=N][,size=N][,sampling=N][,name=X]; repeatable",
        };
        var networks = new Option<string>("--networks") { Description = "Background destination prefixes, comma separated", DefaultValueFactory = _ => "198.51.100.0/24" };
        var sampling = new Option<uint>("--sampling") { Description = "Sampling rate of background records (1 in N)", DefaultValueFactory = _ => 1 };
        var from = new Option<string?>("--from") { Description = "Local address to send from (e.g. 127.0.0.2)" };
        var domain = new Option<uint>("--domain") { Description = "v9 source id / IPFIX observation domain / sFlow sub-agent", DefaultValueFactory = _ => 1 };
        var refresh = new Option<int>("--template-refresh") { Description = "v9/IPFIX: resend templates after this many data datagrams", DefaultValueFactory = _ => 20 };
        var size = new Option<int>("--datagram-bytes") { Description = "Largest datagram built", DefaultValueFactory = _ => 1400 };
        var send = new Command("send", "Send generated NetFlow v9, IPFIX or sFlow traffic to a collector") { to, format, rate, seconds, count, patterns, networks, sampling, from, domain, refresh, size };
        send.SetAction((parse, ct) => RunAsync(async () =>
        {
            var options = new FlowGeneratorOptions
            {
                Target = ParseEndpoint(parse.GetValue(to)!, "--to"),
                Format = ParseFormat(parse.GetValue(format)!),
                BackgroundRecordsPerSecond = parse.GetValue(rate),
                Duration = parse.GetValue(seconds) > 0 ? TimeSpan.FromSeconds(parse.GetValue(seconds)) : null,
                MaxRecords = parse.GetValue(count) > 0 ? parse.GetValue(count) : null,
                Patterns = [.. (parse.GetValue(patterns) ?? []).Select(ParsePattern)],
                BackgroundDestinations = [.. parse.GetValue(networks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParsePrefix)],
                BackgroundSamplingRate = Math.Max(1u, parse.GetValue(sampling)),
                LocalEndPoint = parse.GetValue(from) is { } f ? new IPEndPoint(ParseAddress(f), 0) : null,
                ObservationDomain = parse.GetValue(domain),
                TemplateRefreshDatagrams = Math.Max(1, parse.GetValue(refresh)),
                MaxDatagramBytes = parse.GetValue(size),
            };
            var generator = CreateGenerator(options);
            var result = await generator.RunAsync(ct);
            await Console.Out.WriteLineAsync(parse.GetValue(GlobalOptions.Json) ? GeneratorJson(result) : GeneratorText(result));
            return 0;
        }));
        return send;
    }

    static Command BenchLoopbackCommand()
    {
        var format = FormatOption();
        var rate = new Option<double>("--rate") { Description = "Records per second sent", DefaultValueFactory = _ => 1_600_000 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of sending", DefaultValueFactory = _ => 10 };
        var size = new Option<int>("--datagram-bytes") { Description = "Largest datagram built", DefaultValueFactory = _ => 1400 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds sent at the same rate before measuring (JIT tiering)", DefaultValueFactory = _ => 2 };
        var (rcvbuf, force, loops) = SocketOptions();
        var bench = new Command("bench-loopback", "Measure: generator and collector in this process over loopback UDP; sent, received, loss") { format, rate, seconds, size, warmup, rcvbuf, force, loops };
        bench.SetAction((parse, ct) => RunAsync(async () =>
        {
            var fmt = ParseFormat(parse.GetValue(format)!);
            var kind = fmt == FlowExportFormat.SFlow ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow;
            var local = new IPEndPoint(IPAddress.Loopback, 0);
            var options = new FlowCollectorOptions
            {
                NetFlowEndpoints = kind == FlowListenerKind.NetFlow ? [local] : [],
                SFlowEndpoints = kind == FlowListenerKind.SFlow ? [local] : [],
                ReceiveBufferBytes = parse.GetValue(rcvbuf),
                ForceReceiveBuffer = parse.GetValue(force),
                LoopsPerEndpoint = parse.GetValue(loops),
            };
            var json = parse.GetValue(GlobalOptions.Json);
            await using var collector = new FlowCollector(options, Consumers(null));
            Start(collector);
            if (!json)
            {
                PrintListeners(collector, Console.Out);
            }
            var generatorOptions = new FlowGeneratorOptions
            {
                Target = collector.EndPointOf(kind),
                Format = fmt,
                BackgroundRecordsPerSecond = parse.GetValue(rate),
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                MaxDatagramBytes = parse.GetValue(size),
                BackgroundDestinations = [NetPrefix.Parse("198.51.100.0/24"), NetPrefix.Parse("203.0.113.0/24")],
            };
            if (parse.GetValue(warmup) is > 0 and var w)
            {
                var warm = await CreateGenerator(generatorOptions with { Duration = TimeSpan.FromSeconds(w), Seed = 2 }).RunAsync(ct);
                await DrainAsync(collector, warm.Records, ct);
            }
            var baseline = collector.Snapshot();
            var generator = CreateGenerator(generatorOptions);
            var udpBefore = UdpCounters.Read();
            using var me = Process.GetCurrentProcess();
            var cpuBefore = me.TotalProcessorTime;
            var sent = await generator.RunAsync(ct);
            // Records still queued in the socket buffer when sending ended: the collector was behind by that much.
            var backlog = baseline.Records + sent.Records - collector.Snapshot().Records;
            var drain = Stopwatch.StartNew();
            await DrainAsync(collector, baseline.Records + sent.Records, ct);
            var drainSeconds = drain.Elapsed.TotalSeconds;
            me.Refresh();
            var cpu = (me.TotalProcessorTime - cpuBefore).TotalSeconds;
            var udp = UdpCounters.Read() - udpBefore;
            var snapshot = collector.Snapshot();
            await collector.StopAsync();
            var received = snapshot.Records - baseline.Records;
            var loss = sent.Records == 0 ? 0 : (sent.Records - received) / (double)sent.Records;
            if (json)
            {
                await Console.Out.WriteLineAsync(BenchJson(fmt, parse.GetValue(rate), sent, received, snapshot.Datagrams - baseline.Datagrams, loss, cpu, udp, collector.Listeners[0], backlog, drainSeconds));
            }
            else
            {
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{FormatName(fmt)}: target {parse.GetValue(rate):N0} records/s for {parse.GetValue(seconds):N0} s; sent {sent.Records:N0} records in {sent.DataDatagrams:N0} datagrams (+{sent.TemplateDatagrams:N0} template) in {sent.Elapsed.TotalSeconds:N2} s = {sent.RecordsPerSecond:N0} records/s"));
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"received {received:N0} records in {snapshot.Datagrams - baseline.Datagrams:N0} datagrams; lost {sent.Records - received:N0} ({loss:P3}); decode problems {snapshot.Drops:N0}; socket errors {snapshot.SocketErrors:N0}; backlog when sending ended {Math.Max(0, backlog):N0} records (drained in {drainSeconds:N2} s)"));
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"process CPU {cpu:N2} s over {sent.Elapsed.TotalSeconds:N2} s ({cpu / sent.Elapsed.TotalSeconds:P0} of one core); kernel UDP (system-wide): receive buffer errors {udp.RcvbufErrors:N0}, in errors {udp.InErrors:N0}"));
            }
            return 0;
        }));
        return bench;
    }

    static Command BenchDetectCommand()
    {
        var format = FormatOption();
        var threshold = new Option<double>("--threshold-pps") { Description = "Per-host packets/s threshold", DefaultValueFactory = _ => 100_000 };
        var sampling = new Option<uint>("--sampling") { Description = "Sampling rate of the attack records (1 in N)", DefaultValueFactory = _ => 10 };
        var factors = new Option<double[]>("--factors") { Description = "Attack rates as multiples of the threshold", DefaultValueFactory = _ => [2, 1.5], AllowMultipleArgumentsPerToken = true };
        var runs = new Option<int>("--runs") { Description = "Attacks per factor, started at different points of the second", DefaultValueFactory = _ => 3 };
        var background = new Option<double>("--background") { Description = "Background records/s to another monitored /24 meanwhile", DefaultValueFactory = _ => 20_000 };
        var bench = new Command("bench-detect", "Measure detection latency in real time: generator, collector and detector over loopback; latency from the end of the first full second above threshold to the attack being raised")
        {
            format, threshold, sampling, factors, runs, background,
        };
        bench.SetAction((parse, ct) => RunAsync(async () =>
        {
            var fmt = ParseFormat(parse.GetValue(format)!);
            var pps = parse.GetValue(threshold);
            if (pps <= 0)
            {
                throw new CliException("--threshold-pps must be positive");
            }
            var json = parse.GetValue(GlobalOptions.Json);
            // Attacks hit hosts of one /24, background goes to another: no background packet adds to an attack's rate.
            var network = NetPrefix.Parse("198.51.100.0/24");
            var office = NetPrefix.Parse("198.51.101.0/24");
            var detector = new DetectorOptions
            {
                Networks = [new MonitoredNetwork(network), new MonitoredNetwork(office)],
                Groups = [new HostGroup
                {
                    Name = HostGroup.DefaultName,
                    Thresholds = new TrafficThresholds { Pps = pps },
                    HostBaseline = new BaselineOptions { Enabled = false },
                    PrefixBaseline = new BaselineOptions { Enabled = false },
                    Carpet = new CarpetOptions { Enabled = false },
                }],
                HoldDownSeconds = 2,
            };
            var raised = System.Threading.Channels.Channel.CreateUnbounded<(AttackEvent Event, DateTime At)>();
            await using var engine = new DdosEngine(detector, new DdosEngineOptions
            {
                OnRaised = e => raised.Writer.TryWrite((e, DateTime.UtcNow)),
            });
            var kind = fmt == FlowExportFormat.SFlow ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow;
            var local = new IPEndPoint(IPAddress.Loopback, 0);
            await using var collector = new FlowCollector(new FlowCollectorOptions
            {
                NetFlowEndpoints = kind == FlowListenerKind.NetFlow ? [local] : [],
                SFlowEndpoints = kind == FlowListenerKind.SFlow ? [local] : [],
            }, Consumers(engine));
            Start(collector);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var clock = engine.RunClockAsync(stop.Token);
            var target = collector.EndPointOf(kind);
            var backgroundTask = parse.GetValue(background) is > 0 and var bg
                ? CreateGenerator(new FlowGeneratorOptions { Target = target, Format = fmt, BackgroundRecordsPerSecond = bg, BackgroundDestinations = [office], Seed = 7 }).RunAsync(stop.Token)
                : Task.FromResult<FlowGeneratorResult?>(null)!;
            if (!json)
            {
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{FormatName(fmt)}: threshold {pps:N0} pps per host, attack records sampled 1:{parse.GetValue(sampling)}, background {parse.GetValue(background):N0} records/s; each attack runs until raised, then stops and must end (hold-down 2 s) before the next"));
            }
            var results = new List<(double Factor, int Run, double Offset, double Latency, double TickLag)>();
            var n = Math.Max(1, parse.GetValue(runs));
            var attackHost = 1;
            await Task.Delay(1500, ct);
            foreach (var factor in parse.GetValue(factors) ?? [])
            {
                for (var run = 0; run < n; run++)
                {
                    // Start at a different point of the second each run: 0.15, 0.45, 0.75, ...
                    var offset = 0.15 + (0.3 * run % 0.9);
                    await DelayUntilFractionAsync(offset, ct);
                    var dst = NetAddress.FromV4(network.Network.V4 + (uint)(100 + attackHost++));
                    using var attackStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var attackStart = DateTime.UtcNow;
                    var attack = CreateGenerator(new FlowGeneratorOptions
                    {
                        Target = target,
                        Format = fmt,
                        BackgroundRecordsPerSecond = 0,
                        Patterns = [new TrafficPattern { Destination = new NetPrefix(dst, 32), Protocol = 17, SourcePort = 40_000, PacketsPerSecond = pps * factor, PacketSize = 500, SamplingRate = Math.Max(1u, parse.GetValue(sampling)), Name = "attack" }],
                        Duration = TimeSpan.FromSeconds(8),
                        Seed = 100 + run,
                    }).RunAsync(attackStop.Token);
                    var firstFullEnd = new DateTime(((attackStart.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, DateTimeKind.Utc);
                    var (e, at) = await WaitForAsync(raised.Reader, x => x.Event.Kind == AttackEventKind.Started && x.Event.Attack.TargetAddress == dst, TimeSpan.FromSeconds(10), ct);
                    await attackStop.CancelAsync();
                    await attack;
                    double latency = double.NaN, lag = double.NaN;
                    if (e is not null)
                    {
                        latency = (at - firstFullEnd).TotalSeconds;
                        lag = (at - e.Attack.Detected).TotalSeconds;
                    }
                    results.Add((factor, run, attackStart.TimeOfDay.TotalSeconds % 1, latency, lag));
                    if (!json)
                    {
                        await Console.Out.WriteLineAsync(e is null
                            ? string.Create(CultureInfo.InvariantCulture, $"{factor:0.##}x run {run + 1}: started at .{attackStart:fff}, NOT raised within 10 s")
                            : string.Create(CultureInfo.InvariantCulture, $"{factor:0.##}x run {run + 1}: started at .{attackStart:fff}, first full second ended {firstFullEnd:HH:mm:ss}, raised {at:HH:mm:ss.fff} ({e.Attack.Trigger}, {e.Attack.PeakPps:N0} pps): latency {latency:N3} s (tick lag {lag:N3} s)"));
                    }
                    await WaitForAsync(raised.Reader, x => x.Event.Kind == AttackEventKind.Ended && x.Event.Attack.TargetAddress == dst, TimeSpan.FromSeconds(10), ct);
                }
            }
            await stop.CancelAsync();
            await clock;
            await backgroundTask;
            await collector.StopAsync();
            foreach (var g in results.GroupBy(r => r.Factor))
            {
                var ok = g.Where(r => !double.IsNaN(r.Latency)).Select(r => r.Latency).Order().ToArray();
                var limit = g.Key >= 2 ? 1.0 : g.Key >= 1.5 ? 2.0 : double.NaN;
                if (json)
                {
                    await Console.Out.WriteLineAsync(Json(w =>
                    {
                        w.WriteString("format", FormatName(fmt));
                        w.WriteNumber("threshold_pps", pps);
                        w.WriteNumber("factor", g.Key);
                        w.WriteNumber("runs", g.Count());
                        w.WriteNumber("raised", ok.Length);
                        if (ok.Length > 0)
                        {
                            w.WriteNumber("latency_min_s", ok[0]);
                            w.WriteNumber("latency_median_s", ok[ok.Length / 2]);
                            w.WriteNumber("latency_max_s", ok[^1]);
                        }
                        w.WriteStartArray("latencies_s");
                        foreach (var r in g)
                        {
                            w.WriteNumberValue(double.IsNaN(r.Latency) ? -1 : r.Latency);
                        }
                        w.WriteEndArray();
                    }));
                }
                else
                {
                    await Console.Out.WriteLineAsync(ok.Length == 0
                        ? string.Create(CultureInfo.InvariantCulture, $"{g.Key:0.##}x threshold: never raised")
                        : string.Create(CultureInfo.InvariantCulture,
                            $"{g.Key:0.##}x threshold: raised {ok.Length}/{g.Count()}, latency min {ok[0]:N3} s, median {ok[ok.Length / 2]:N3} s, max {ok[^1]:N3} s{(double.IsNaN(limit) ? "" : $" (requirement <= {limit:N0} s: {(ok.Length == g.Count() && ok[^1] <= limit ? "met" : "NOT met")})")}"));
                }
            }
            return 0;
        }));
        return bench;
    }

    static async Task DelayUntilFractionAsync(double fraction, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var second = new DateTime(now.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var at = second.AddSeconds(fraction);
        if (at <= now)
        {
            at = at.AddSeconds(1);
        }
        await Task.Delay(at - now, ct);
    }

    static async Task<(AttackEvent? Event, DateTime At)> WaitForAsync(System.Threading.Channels.ChannelReader<(AttackEvent Event, DateTime At)> reader,
        Func<(AttackEvent Event, DateTime At), bool> match, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var item = await reader.ReadAsync(cts.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, default);
        }
    }

    // ---- helpers ----

    /// <summary>Lets the collector empty its socket buffer: waits until <paramref name="expected"/> records or the count stops moving.</summary>
    static async Task DrainAsync(FlowCollector collector, long expected, CancellationToken ct)
    {
        var received = collector.Snapshot().Records;
        for (var idle = 0; idle < 5 && received < expected;)
        {
            await Task.Delay(100, ct);
            var now = collector.Snapshot().Records;
            idle = now == received ? idle + 1 : 0;
            received = now;
        }
    }

    static FlowTrafficGenerator CreateGenerator(FlowGeneratorOptions options)
    {
        try
        {
            return new FlowTrafficGenerator(options);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    static void Start(FlowCollector collector)
    {
        try
        {
            collector.Start();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new CliException($"cannot listen: {ex.Message}");
        }
    }

    static void PrintListeners(FlowCollector collector, TextWriter output)
    {
        foreach (var l in collector.Listeners)
        {
            var hint = l.ReceiveBufferBytes < l.RequestedReceiveBufferBytes
                ? " (capped by the kernel: raise net.core.rmem_max, see docs/flows-collector.md)"
                : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"listening {(l.Kind == FlowListenerKind.SFlow ? "sflow  " : "netflow")} {l.EndPoint} loops {l.Loops}, receive buffer asked {l.RequestedReceiveBufferBytes / 1048576.0:N1} MiB, kernel reports {l.ReceiveBufferBytes / 1048576.0:N1} MiB{hint}"));
        }
    }

    static (Option<int> ReceiveBuffer, Option<bool> Force, Option<int> Loops) SocketOptions() =>
    (
        new Option<int>("--rcvbuf") { Description = "Socket receive buffer to ask for, bytes", DefaultValueFactory = _ => FlowCollectorOptions.DefaultReceiveBufferBytes },
        new Option<bool>("--force-rcvbuf") { Description = "Linux: SO_RCVBUFFORCE (needs CAP_NET_ADMIN) to go past net.core.rmem_max" },
        new Option<int>("--loops") { Description = "Receive loops (SO_REUSEPORT sockets) per endpoint", DefaultValueFactory = _ => 1 }
    );

    static Option<string> FormatOption() => new("--format")
    {
        Description = "ipfix, netflow9 or sflow",
        DefaultValueFactory = _ => "ipfix",
    };

    static Option<string[]> EndpointsOption(string name, string description) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = true,
    };

    static FlowExportFormat ParseFormat(string s) => s.ToLowerInvariant() switch
    {
        "ipfix" => FlowExportFormat.Ipfix,
        "netflow9" or "netflow" or "v9" or "nf9" => FlowExportFormat.NetFlowV9,
        "sflow" => FlowExportFormat.SFlow,
        _ => throw new CliException($"--format {s}: use ipfix, netflow9 or sflow"),
    };

    static string FormatName(FlowExportFormat f) => f switch
    {
        FlowExportFormat.Ipfix => "ipfix",
        FlowExportFormat.NetFlowV9 => "netflow9",
        _ => "sflow",
    };

    static List<IPEndPoint> ParseEndpoints(string[]? values, string option) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(v => ParseEndpoint(v, option))];

    static IPEndPoint ParseEndpoint(string value, string option) =>
        IPEndPoint.TryParse(value, out var ep) && ep.Port != 0
            ? ep
            : throw new CliException($"{option} {value}: expected ADDRESS:PORT, e.g. 127.0.0.1:2055 or [::1]:2055");

    static IPAddress ParseAddress(string value) =>
        IPAddress.TryParse(value, out var a) ? a : throw new CliException($"'{value}' is not an IP address");

    static NetPrefix ParsePrefix(string value) =>
        NetPrefix.TryParse(value, out var p) ? p : throw new CliException($"'{value}' is not a CIDR prefix");

    static TrafficPattern ParsePattern(string value) =>
        TrafficPattern.TryParse(value, out var p, out var error) ? p! : throw new CliException($"--pattern {value}: {error}");

    static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"belfry: {ex.Message}");
            return 1;
        }
    }

    static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"belfry: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    // ---- output ----

    static string DecodeSummaryText(FlowDecodeCounters c)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{c.Files} file(s), {c.Packets:N0} packets, {c.Datagrams:N0} flow datagrams, {c.FlowRecords:N0} flow records, {c.CounterRecords:N0} counter records; statuses:");
        for (var s = DecodeStatus.Ok; (int)s < DecodeStatuses.Count; s++)
        {
            if (c[s] != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {s} {c[s]:N0}");
            }
        }
        return sb.ToString();
    }

    static string DecodeSummaryJson(FlowDecodeCounters c) => Json(w =>
    {
        w.WriteNumber("files", c.Files);
        w.WriteNumber("packets", c.Packets);
        w.WriteNumber("skipped_packets", c.SkippedPackets);
        w.WriteNumber("datagrams", c.Datagrams);
        w.WriteNumber("records", c.FlowRecords);
        w.WriteNumber("counter_records", c.CounterRecords);
        w.WriteStartObject("statuses");
        for (var s = DecodeStatus.Ok; (int)s < DecodeStatuses.Count; s++)
        {
            if (c[s] != 0)
            {
                w.WriteNumber(s.ToString(), c[s]);
            }
        }
        w.WriteEndObject();
    });

    static string SnapshotText(FlowCollectorSnapshot now, FlowCollectorSnapshot before, double seconds)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} exporters {now.Exporters.Count}, datagrams {now.Datagrams:N0}, records {now.Records:N0} ({(now.Records - before.Records) / Math.Max(seconds, 0.001):N0}/s), problems {now.Drops:N0}, socket errors {now.SocketErrors:N0}");
        if (now.RefusedDatagrams != 0 || now.SamplingCapped != 0 || now.ConsumerErrors != 0 || now.DecoderErrors != 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $", refused {now.RefusedDatagrams:N0} from {now.Refused.Count} unknown source(s), sampling capped {now.SamplingCapped:N0}, consumer errors {now.ConsumerErrors:N0}, decoder errors {now.DecoderErrors:N0}");
        }
        foreach (var e in now.Exporters)
        {
            var prev = e.IsOther ? before.Exporters.FirstOrDefault(x => x.IsOther) : before.Find(e.Exporter);
            var rate = (e.Records - (prev?.Records ?? 0)) / Math.Max(seconds, 0.001);
            var age = e.LastSeenUnixMs == 0 ? "-" : $"{(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - e.LastSeenUnixMs) / 1000.0:N1}s ago";
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"  {e.Name,-39} datagrams {e.Datagrams,12:N0}  records {e.Records,14:N0} {rate,11:N0}/s  bytes {e.Bytes,16:N0}  problems {e.Drops:N0}{Reasons(e)}  last {age}");
            if (e.SamplingCapped != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  sampling capped {e.SamplingCapped:N0}");
            }
        }
        foreach (var e in now.Refused.Take(10))
        {
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"  refused {e.Name,-31} datagrams {e.Datagrams,12:N0}  (not in belfry.json flows.exporters)");
        }
        return sb.ToString();
    }

    static string Reasons(ExporterStats e)
    {
        var parts = new List<string>();
        for (var s = DecodeStatus.Ok + 1; (int)s < DecodeStatuses.Count; s++)
        {
            if (e.DecodeErrors(s) != 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s} {e.DecodeErrors(s):N0}"));
            }
        }
        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    static string GeneratorText(FlowGeneratorResult r)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"sent {r.Records:N0} records in {r.DataDatagrams:N0} datagrams (+{r.TemplateDatagrams:N0} template) in {r.Elapsed.TotalSeconds:N2} s = {r.RecordsPerSecond:N0} records/s; send errors {r.SendErrors:N0}");
        foreach (var s in r.Streams)
        {
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"  {s.Name,-24} records {s.Records,12:N0}  packets {s.Packets,14:N0}  bytes {s.Bytes,16:N0}");
        }
        return sb.ToString();
    }

    static string GeneratorJson(FlowGeneratorResult r) => Json(w =>
    {
        w.WriteNumber("records", r.Records);
        w.WriteNumber("datagrams", r.DataDatagrams);
        w.WriteNumber("template_datagrams", r.TemplateDatagrams);
        w.WriteNumber("send_errors", r.SendErrors);
        w.WriteNumber("seconds", r.Elapsed.TotalSeconds);
        w.WriteStartArray("streams");
        foreach (var s in r.Streams)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteNumber("records", s.Records);
            w.WriteNumber("packets", s.Packets);
            w.WriteNumber("bytes", s.Bytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    static string BenchJson(FlowExportFormat format, double rate, FlowGeneratorResult sent, long received, long receivedDatagrams, double loss, double cpuSeconds, UdpCounters udp, FlowListenerInfo listener, long backlog, double drainSeconds) => Json(w =>
    {
        w.WriteString("format", FormatName(format));
        w.WriteNumber("target_records_per_second", rate);
        w.WriteNumber("sent_records", sent.Records);
        w.WriteNumber("sent_datagrams", sent.DataDatagrams + sent.TemplateDatagrams);
        w.WriteNumber("sent_records_per_second", sent.RecordsPerSecond);
        w.WriteNumber("received_records", received);
        w.WriteNumber("received_datagrams", receivedDatagrams);
        w.WriteNumber("lost_records", sent.Records - received);
        w.WriteNumber("loss", loss);
        w.WriteNumber("seconds", sent.Elapsed.TotalSeconds);
        w.WriteNumber("cpu_seconds", cpuSeconds);
        w.WriteNumber("receive_buffer_bytes", listener.ReceiveBufferBytes);
        w.WriteNumber("udp_rcvbuf_errors", udp.RcvbufErrors);
        w.WriteNumber("backlog_records", Math.Max(0, backlog));
        w.WriteNumber("drain_seconds", drainSeconds);
    });

    static string Json(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>System-wide UDP counters from /proc/net/snmp (Linux), to tell kernel drops from decode loss.</summary>
    readonly record struct UdpCounters(long InErrors, long RcvbufErrors)
    {
        public static UdpCounters operator -(UdpCounters a, UdpCounters b) => new(a.InErrors - b.InErrors, a.RcvbufErrors - b.RcvbufErrors);

        public static UdpCounters Read()
        {
            try
            {
                var lines = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp:", StringComparison.Ordinal)).ToArray();
                if (lines.Length < 2)
                {
                    return default;
                }
                var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                long Get(string n) => Array.IndexOf(names, n) is var i and > 0 ? long.Parse(values[i], CultureInfo.InvariantCulture) : 0;
                return new UdpCounters(Get("InErrors"), Get("RcvbufErrors"));
            }
            catch (IOException)
            {
                return default;
            }
            catch (UnauthorizedAccessException)
            {
                return default;
            }
        }
    }
}
