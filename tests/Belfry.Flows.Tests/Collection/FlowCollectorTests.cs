using System.Diagnostics.Metrics;
using System.Net;
using Belfry.Core.Net;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;
using static Belfry.Flows.Tests.Collection.CollectorTestKit;

namespace Belfry.Flows.Tests.Collection;

/// <summary>Generator to collector over real loopback UDP.</summary>
public class FlowCollectorTests
{
    [Theory]
    [InlineData(FlowExportFormat.NetFlowV9)]
    [InlineData(FlowExportFormat.Ipfix)]
    [InlineData(FlowExportFormat.SFlow)]
    public async Task Run_GeneratorSendsFormat_EveryRecordDecodedAndCounted(FlowExportFormat format)
    {
        var consumers = new List<RecordingConsumer>();
        await using var collector = new FlowCollector(
            new FlowCollectorOptions { NetFlowEndpoints = [Loopback4], SFlowEndpoints = [Loopback4] },
            _ => Add(consumers, new RecordingConsumer()));
        collector.Start();
        var kind = format == FlowExportFormat.SFlow ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow;
        var generator = new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = collector.EndPointOf(kind),
            Format = format,
            BackgroundRecordsPerSecond = 40_000,
            BackgroundSamplingRate = 10,
            MaxRecords = 20_000,
            Patterns = [new TrafficPattern { Destination = NetPrefix.Parse("203.0.113.77/32"), PacketsPerSecond = 100_000, SamplingRate = 100, Protocol = 17, SourcePort = 53, PacketSize = 1200 }],
        });

        var sent = await generator.RunAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(collector, s => s.Records >= sent.Records);
        await collector.StopAsync();

        Assert.Equal(20_000, sent.Records);
        Assert.Equal(0, sent.SendErrors);
        var snapshot = collector.Snapshot();
        var exporter = Assert.Single(snapshot.Exporters);
        Assert.Equal(NetAddress.Parse("127.0.0.1"), exporter.Exporter);
        Assert.Equal(sent.Records, exporter.Records);
        Assert.Equal(sent.DataDatagrams + sent.TemplateDatagrams, exporter.Datagrams);
        Assert.Equal(0, exporter.Drops);
        Assert.True(exporter.LastSeenUnixMs > 0);
        Assert.Equal(sent.Records, consumers.Sum(c => c.Records));
        Assert.Equal(sent.DataDatagrams + sent.TemplateDatagrams, consumers.Sum(c => c.Datagrams));
        // Sampling-corrected totals agree with what the generator says the records stand for.
        Assert.Equal(sent.Streams.Aggregate(0ul, (a, s) => a + s.Packets), consumers.Aggregate(0ul, (a, c) => a + c.Packets));
        Assert.Equal(sent.Streams.Aggregate(0ul, (a, s) => a + s.Bytes), consumers.Aggregate(0ul, (a, c) => a + c.Bytes));
        var attack = sent.Streams.Single(s => s.Name == "203.0.113.77/32");
        Assert.Equal(attack.Records, consumers.Sum(c => c.ByDestination.GetValueOrDefault(NetAddress.Parse("203.0.113.77"))));
        Assert.True(attack.Records > 0);
    }

    [Fact]
    public async Task Run_GarbageDatagrams_CountedByReasonAndLoopContinues()
    {
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        var valid = TestData.IpfixDatagram(10);
        var truncated = valid[..40];
        byte[] unknownVersion = [0x00, 0x07, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        byte[] tiny = [0x00];
        var random = new byte[300];
        new Random(4711).NextBytes(random);
        random[0] = 0xEE;

        SendRaw(target, truncated, unknownVersion, tiny, random, valid, valid);
        await WaitForAsync(collector, s => s.Datagrams >= 6);
        await collector.StopAsync();

        var e = Assert.Single(collector.Snapshot().Exporters);
        Assert.Equal(6, e.Datagrams);
        Assert.Equal(20, e.Records);
        Assert.Equal(4, e.Drops);
        Assert.Equal(2, e.DecodeErrors(DecodeStatus.Truncated)); // the cut IPFIX message and the 1-byte datagram
        Assert.Equal(2, e.DecodeErrors(DecodeStatus.BadVersion));
        Assert.Equal(0, collector.SocketErrors);
    }

    [Fact]
    public async Task Run_DataBeforeTemplate_NeedTemplateThenDecoded()
    {
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        var flows = TestData.Flows(5);
        var dataOnly = IpfixWriter.Flows(flows, 1_700_000_100, 1, 7, withTemplate: false);
        var templateAndData = IpfixWriter.Flows(flows, 1_700_000_101, 6, 7);

        SendRaw(target, dataOnly, dataOnly);
        await WaitForAsync(collector, s => s.Datagrams >= 2);
        var before = collector.Snapshot();
        SendRaw(target, templateAndData, dataOnly);
        await WaitForAsync(collector, s => s.Datagrams >= 4);
        await collector.StopAsync();

        Assert.Equal(0, before.Records);
        Assert.Equal(2, before.DecodeErrors(DecodeStatus.NeedTemplate));
        var after = collector.Snapshot();
        Assert.Equal(10, after.Records);
        Assert.Equal(2, after.DecodeErrors(DecodeStatus.NeedTemplate));
        Assert.Equal(2, after.Drops);
    }

    [Fact]
    public async Task Run_IPv6Loopback_RecordsDecodedWithV6Exporter()
    {
        var consumer = new RecordingConsumer { Keep = 1 };
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [new IPEndPoint(IPAddress.IPv6Loopback, 0)] }, _ => consumer);
        collector.Start();
        var generator = new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = collector.EndPointOf(FlowListenerKind.NetFlow),
            Format = FlowExportFormat.NetFlowV9,
            BackgroundRecordsPerSecond = 20_000,
            BackgroundDestinations = [NetPrefix.Parse("2001:db8:beef::/48"), NetPrefix.Parse("198.51.100.0/24")],
            MaxRecords = 3_000,
        });

        var sent = await generator.RunAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(collector, s => s.Records >= sent.Records);
        await collector.StopAsync();

        var e = Assert.Single(collector.Snapshot().Exporters);
        Assert.Equal(NetAddress.Parse("::1"), e.Exporter);
        Assert.Equal(3_000, e.Records);
        Assert.Equal(3_000, consumer.Records);
        Assert.Contains(consumer.ByDestination.Keys, a => !a.IsV4);
        Assert.Contains(consumer.ByDestination.Keys, a => a.IsV4);
        Assert.Equal(AddressFamilyV6, collector.Listeners[0].EndPoint.AddressFamily);
    }

    [Fact]
    public async Task Run_TwoExportersAndCapOfOne_SecondFoldedIntoOther()
    {
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4], MaxExporters = 1 });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        var first = await Generator(target, "127.0.0.2", 1_000).RunAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(collector, s => s.Records >= 1_000);
        var second = await Generator(target, "127.0.0.3", 700).RunAsync(TestContext.Current.CancellationToken);
        await WaitForAsync(collector, s => s.Records >= 1_700);
        await collector.StopAsync();

        var snapshot = collector.Snapshot();
        Assert.Equal(2, snapshot.Exporters.Count);
        var known = snapshot.Find(NetAddress.Parse("127.0.0.2"));
        Assert.NotNull(known);
        Assert.Equal(first.Records, known.Records);
        Assert.Null(snapshot.Find(NetAddress.Parse("127.0.0.3")));
        var other = snapshot.Exporters[^1];
        Assert.True(other.IsOther);
        Assert.Equal("other", other.Name);
        Assert.Equal(second.Records, other.Records);
        Assert.Equal(second.DataDatagrams + second.TemplateDatagrams, other.Datagrams);
    }

    [Fact]
    public async Task Run_TwoExporters_CountedSeparately()
    {
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        var a = Generator(target, "127.0.0.2", 2_000).RunAsync(TestContext.Current.CancellationToken);
        var b = Generator(target, "127.0.0.3", 1_500).RunAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(a, b);
        await WaitForAsync(collector, s => s.Records >= 3_500);
        await collector.StopAsync();

        var snapshot = collector.Snapshot();
        Assert.Equal(2, snapshot.Exporters.Count);
        Assert.Equal(2_000, snapshot.Find(NetAddress.Parse("127.0.0.2"))!.Records);
        Assert.Equal(1_500, snapshot.Find(NetAddress.Parse("127.0.0.3"))!.Records);
        Assert.Equal((await a).DataDatagrams + (await a).TemplateDatagrams, snapshot.Find(NetAddress.Parse("127.0.0.2"))!.Datagrams);
    }

    [Fact]
    public async Task Run_ReusePortLoops_TemplatesReachTheirLoopAndAllRecordsDecoded()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("SO_REUSEPORT loops are Linux only");
        }
        var loops = 0;
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4], LoopsPerEndpoint = 3 }, _ =>
        {
            loops++;
            return NullFlowRecordConsumer.Instance;
        });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        var runs = new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5" }.Select(a => Generator(target, a, 2_000).RunAsync(TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(runs);
        await WaitForAsync(collector, s => s.Records >= 8_000);
        await collector.StopAsync();

        Assert.Equal(3, loops);
        Assert.Equal(3, collector.Listeners[0].Loops);
        var snapshot = collector.Snapshot();
        Assert.Equal(8_000, snapshot.Records);
        Assert.Equal(0, snapshot.DecodeErrors(DecodeStatus.NeedTemplate));
        Assert.Equal(4, snapshot.Exporters.Count);
    }

    [Fact]
    public async Task Metrics_AfterTraffic_InstrumentsReportPerExporterCounts()
    {
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] });
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        SendRaw(target, TestData.V9Datagram(12), [0x00, 0x63, 0, 0]);
        await WaitForAsync(collector, s => s.Datagrams >= 2);

        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == FlowCollector.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var t in tags)
            {
                key += $"|{t.Key}={t.Value}";
            }
            seen[key] = value;
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(12, seen["belfry.flows.collector.records|exporter=127.0.0.1"]);
        Assert.Equal(2, seen["belfry.flows.collector.datagrams|exporter=127.0.0.1"]);
        Assert.Equal(1, seen["belfry.flows.collector.decode_errors|exporter=127.0.0.1|reason=BadVersion"]);
        Assert.Equal(0, seen["belfry.flows.collector.socket_errors"]);
        Assert.Equal(1, seen["belfry.flows.collector.exporters"]);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsAndClosesSockets()
    {
        using var cts = new CancellationTokenSource();
        var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4], SFlowEndpoints = [Loopback4] });
        var run = collector.RunAsync(cts.Token);
        var port = collector.EndPointOf(FlowListenerKind.SFlow).Port;

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await collector.DisposeAsync();

        Assert.True(run.IsCompletedSuccessfully);
        // The port is free again.
        using var again = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Start_ReceiveBuffer_ReportsWhatTheKernelGranted()
    {
        await using var c = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4], ReceiveBufferBytes = 1 << 20 });
        c.Start();
        var l = Assert.Single(c.Listeners);
        Assert.Equal(1 << 20, l.RequestedReceiveBufferBytes);
        Assert.True(l.ReceiveBufferBytes > 0);
        Assert.NotEqual(0, l.EndPoint.Port);
    }

    [Fact]
    public void Constructor_NoEndpoints_Throws() =>
        Assert.Throws<ArgumentException>(() => new FlowCollector(new FlowCollectorOptions()));

    static readonly System.Net.Sockets.AddressFamily AddressFamilyV6 = System.Net.Sockets.AddressFamily.InterNetworkV6;

    static FlowTrafficGenerator Generator(IPEndPoint target, string from, long records) => new(new FlowGeneratorOptions
    {
        Target = target,
        Format = FlowExportFormat.Ipfix,
        BackgroundRecordsPerSecond = 20_000,
        MaxRecords = records,
        LocalEndPoint = new IPEndPoint(IPAddress.Parse(from), 0),
    });

    static RecordingConsumer Add(List<RecordingConsumer> list, RecordingConsumer c)
    {
        lock (list)
        {
            list.Add(c);
        }
        return c;
    }
}
