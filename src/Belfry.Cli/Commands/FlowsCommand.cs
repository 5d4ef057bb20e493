using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Belfry.Cli.Hosting;
using Belfry.Core.Net;
using Belfry.Flows;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;

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
    };

    /// <summary>
    /// The consumers of each receive loop, one instance per loop (each is called by that loop only).
    /// Add one line per consumer, e.g. the DDoS engine's per-loop counter shard.
    /// </summary>
    static IFlowRecordConsumer CreateConsumer(FlowLoopContext loop) => CompositeFlowRecordConsumer.Combine(
    [
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
        var interval = new Option<double>("--interval") { Description = "Seconds between counter reports", DefaultValueFactory = _ => 5 };
        var (rcvbuf, force, loops) = SocketOptions();
        var maxExporters = new Option<int>("--max-exporters") { Description = "Exporters counted one by one per loop; more fold into \"other\"", DefaultValueFactory = _ => FlowCollectorOptions.DefaultMaxExporters };
        var listen = new Command("listen", "Run the flow collector and print per-exporter counters") { netflow, sflow, seconds, interval, rcvbuf, force, loops, maxExporters };
        listen.SetAction((parse, ct) => RunAsync(async () =>
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
            if (options.NetFlowEndpoints.Count + options.SFlowEndpoints.Count == 0)
            {
                throw new CliException("give at least one of --netflow ADDR:PORT and --sflow ADDR:PORT");
            }
            var json = parse.GetValue(GlobalOptions.Json);
            await using var collector = new FlowCollector(options, CreateConsumer);
            Start(collector);
            if (!json)
            {
                PrintListeners(collector);
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (parse.GetValue(seconds) is > 0 and var s)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(s));
            }
            var every = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(interval)));
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
                await Console.Out.WriteLineAsync(json ? SnapshotJson(now) : SnapshotText(now, previous, elapsed));
                previous = now;
            }
            await collector.StopAsync();
            return 0;
        }));
        return listen;
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
            await using var collector = new FlowCollector(options, CreateConsumer);
            Start(collector);
            if (!json)
            {
                PrintListeners(collector);
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

    static void PrintListeners(FlowCollector collector)
    {
        foreach (var l in collector.Listeners)
        {
            var hint = l.ReceiveBufferBytes < l.RequestedReceiveBufferBytes
                ? " (capped by the kernel: raise net.core.rmem_max, see docs/flows-collector.md)"
                : string.Empty;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
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
        foreach (var e in now.Exporters)
        {
            var prev = e.IsOther ? before.Exporters.FirstOrDefault(x => x.IsOther) : before.Find(e.Exporter);
            var rate = (e.Records - (prev?.Records ?? 0)) / Math.Max(seconds, 0.001);
            var age = e.LastSeenUnixMs == 0 ? "-" : $"{(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - e.LastSeenUnixMs) / 1000.0:N1}s ago";
            sb.AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"  {e.Name,-39} datagrams {e.Datagrams,12:N0}  records {e.Records,14:N0} {rate,11:N0}/s  bytes {e.Bytes,16:N0}  problems {e.Drops:N0}{Reasons(e)}  last {age}");
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

    static string SnapshotJson(FlowCollectorSnapshot s) => Json(w =>
    {
        w.WriteString("time", DateTime.UtcNow);
        w.WriteNumber("datagrams", s.Datagrams);
        w.WriteNumber("records", s.Records);
        w.WriteNumber("drops", s.Drops);
        w.WriteNumber("socket_errors", s.SocketErrors);
        w.WriteStartArray("exporters");
        foreach (var e in s.Exporters)
        {
            w.WriteStartObject();
            w.WriteString("exporter", e.Name);
            w.WriteNumber("datagrams", e.Datagrams);
            w.WriteNumber("records", e.Records);
            w.WriteNumber("counter_records", e.CounterRecords);
            w.WriteNumber("bytes", e.Bytes);
            w.WriteNumber("drops", e.Drops);
            w.WriteStartObject("decode_errors");
            for (var st = DecodeStatus.Ok + 1; (int)st < DecodeStatuses.Count; st++)
            {
                if (e.DecodeErrors(st) != 0)
                {
                    w.WriteNumber(st.ToString(), e.DecodeErrors(st));
                }
            }
            w.WriteEndObject();
            if (e.LastSeenUnixMs > 0)
            {
                w.WriteString("last_seen", DateTimeOffset.FromUnixTimeMilliseconds(e.LastSeenUnixMs).UtcDateTime);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

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
