using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;
using Belfry.Ddos.Detection;
using Belfry.Flows.Collection;
using Belfry.Flows.Generation;
using Microsoft.Extensions.Logging;
using static Belfry.Flows.Tests.Collection.CollectorTestKit;

namespace Belfry.Flows.Tests.Collection;

/// <summary>
/// Flow telemetry is not trusted blindly: only allowed exporters are decoded, sampling rates are
/// bounded, one exporter cannot evict another's templates, and a throwing consumer costs one
/// datagram, not the loop. Over real loopback UDP, into the real DDoS detector.
/// </summary>
public class ExporterTrustTests
{
    static readonly DateTime T0 = new(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);
    static readonly IPAddress Known = IPAddress.Parse("127.0.0.2");
    static readonly IPAddress Unknown = IPAddress.Parse("127.0.0.1");
    const string Target = "203.0.113.10";
    const double ThresholdPps = 20_000;

    /// <summary>One record to <see cref="Target"/>: <paramref name="rawPackets"/> DNS replies, claiming 1 in <paramref name="rate"/> sampling.</summary>
    static byte[] Sampled(string format, ulong rawPackets, uint rate, NetAddress agent)
    {
        if (format == "sflow")
        {
            var spec = new PacketSpec { Src = NetAddress.Parse("192.0.2.53"), Dst = NetAddress.Parse(Target), Protocol = 17, SrcPort = 53, DstPort = 40_000 };
            return new SFlowWriter(agent, 0, 1, 1_000).FlowSample(rate, PacketBuilder.Ethernet(spec), 1_200).ToArray();
        }
        var w = new IpfixWriter((uint)(T0 - DateTime.UnixEpoch).TotalSeconds, 0, 1);
        w.Template(256, [.. TemplateMessageWriter.StandardIPv4Fields, new FieldSpec(34, 4)]);
        w.BeginData(256);
        w.StandardRecord(new FlowRecord
        {
            SrcAddress = NetAddress.Parse("192.0.2.53"),
            DstAddress = NetAddress.Parse(Target),
            Protocol = 17,
            SrcPort = 53,
            DstPort = 40_000,
            RawPackets = rawPackets,
            RawBytes = rawPackets * 1_200,
        });
        w.Buffer.U32(rate);
        return w.ToArray();
    }

    static void SendFrom(IPAddress source, IPEndPoint target, params byte[][] datagrams)
    {
        using var s = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(source, 0));
        foreach (var d in datagrams)
        {
            s.SendTo(d, target);
        }
    }

    sealed class Detection
    {
        public Detection()
        {
            Detector = new DdosDetector(new DetectorOptions
            {
                Networks = [new MonitoredNetwork(NetPrefix.Parse("203.0.113.0/24"), HostGroup.DefaultName, "org-victims")],
                Groups =
                [
                    new HostGroup
                    {
                        Name = HostGroup.DefaultName,
                        Thresholds = new TrafficThresholds { Pps = ThresholdPps },
                        HostBaseline = new BaselineOptions { Enabled = false },
                        PrefixBaseline = new BaselineOptions { Enabled = false },
                    },
                ],
            }, e => Events.Add(e));
        }

        public DdosDetector Detector { get; }
        public List<AttackEvent> Events { get; } = [];

        public ShardConsumer CreateConsumer(FlowLoopContext loop) => new(Detector.CreateShard());
    }

    internal sealed class ShardConsumer(CounterShard shard) : IFlowRecordConsumer
    {
        public void OnDatagram(in FlowDatagram datagram)
        {
        }

        public void OnFlow(in FlowRecord record) => shard.Count(record);

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
        }
    }

    [Theory]
    [InlineData("ipfix")]
    [InlineData("sflow")]
    public async Task Tick_SpoofedHugeSamplingRateFromUnknownAndKnownExporter_NoAttack(string format)
    {
        var detection = new Detection();
        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [Loopback4],
            SFlowEndpoints = [Loopback4],
            AllowedExporters = [FlowExporterRule.Parse("127.0.0.2")],
        }, detection.CreateConsumer);
        collector.Start();
        var target = collector.EndPointOf(format == "sflow" ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow);
        // 10 raw packets claimed at 1 in 1,000,000,000: ten billion packets a second if believed.
        var spoofed = Sampled(format, 10, 1_000_000_000, NetAddress.Parse("127.0.0.2"));

        SendFrom(Unknown, target, spoofed);
        SendFrom(Known, target, spoofed);
        await WaitForAsync(collector, s => s.RefusedDatagrams >= 1 && s.Records >= 1);
        detection.Detector.Tick(T0.AddSeconds(1));
        var firstSecond = detection.Detector.LastSecond!;
        detection.Detector.Tick(T0.AddSeconds(2));
        detection.Detector.Tick(T0.AddSeconds(3));

        Assert.Empty(detection.Events);
        Assert.Empty(detection.Detector.ActiveAttacks);
        var snapshot = collector.Snapshot();
        var refused = Assert.Single(snapshot.Refused);
        Assert.Equal(NetAddress.Parse("127.0.0.1"), refused.Exporter);
        Assert.Equal(1, refused.Datagrams);
        Assert.Equal(0, refused.Records);
        var known = Assert.Single(snapshot.Exporters);
        Assert.Equal(NetAddress.Parse("127.0.0.2"), known.Exporter);
        Assert.Equal(1, known.Records);
        Assert.Equal(1, known.SamplingCapped);
        // The known exporter's record was counted, unscaled (sFlow: one sampled packet; IPFIX: the 10 raw packets).
        Assert.Equal(1, detection.Detector.Stats.Records);
        Assert.Equal(format == "sflow" ? 1ul : 10ul, firstSecond.Groups.Aggregate(0ul, (sum, g) => sum + g.InPackets));
    }

    [Theory]
    [InlineData("ipfix")]
    [InlineData("sflow")]
    public async Task Tick_SpoofedHugeSamplingRateWithEveryBoundLifted_AttackRaised(string format)
    {
        // What the bounds prevent: the same datagram, believed, raises an attack at the first tick.
        var detection = new Detection();
        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [Loopback4],
            SFlowEndpoints = [Loopback4],
            MaxSamplingRate = uint.MaxValue,
        }, detection.CreateConsumer);
        collector.Start();
        var target = collector.EndPointOf(format == "sflow" ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow);

        SendFrom(Unknown, target, Sampled(format, 10, 1_000_000_000, NetAddress.Parse("127.0.0.1")));
        await WaitForAsync(collector, s => s.Records >= 1);
        detection.Detector.Tick(T0.AddSeconds(1));

        var started = Assert.Single(detection.Events);
        Assert.Equal(AttackEventKind.Started, started.Kind);
        Assert.Equal(NetAddress.Parse(Target), started.Attack.TargetAddress);
    }

    [Theory]
    [InlineData("ipfix")]
    [InlineData("sflow")]
    public async Task Tick_HonestSampledAttackFromKnownExporter_StillRaised(string format)
    {
        var detection = new Detection();
        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [Loopback4],
            SFlowEndpoints = [Loopback4],
            AllowedExporters = [FlowExporterRule.Parse("127.0.0.2")],
        }, detection.CreateConsumer);
        collector.Start();
        var target = collector.EndPointOf(format == "sflow" ? FlowListenerKind.SFlow : FlowListenerKind.NetFlow);
        // IPFIX: 100 packets at 1:1000; sFlow: one sample at 1:100,000 needs its own bound, so 60 samples at 1:1000.
        var datagrams = format == "sflow"
            ? Enumerable.Range(0, 60).Select(_ => Sampled(format, 1, 1_000, NetAddress.Parse("127.0.0.2"))).ToArray()
            : [Sampled(format, 100, 1_000, NetAddress.Parse("127.0.0.2"))];

        SendFrom(Known, target, datagrams);
        await WaitForAsync(collector, s => s.Records >= datagrams.Length);
        detection.Detector.Tick(T0.AddSeconds(1));

        var started = Assert.Single(detection.Events);
        Assert.Equal(format == "sflow" ? 60_000 : 100_000, started.Attack.CurrentPps);
        Assert.Equal(0, collector.Snapshot().SamplingCapped);
    }

    [Fact]
    public async Task Run_PerExporterSamplingBound_TighterThanTheCollectorsAndLongestPrefixWins()
    {
        var consumer = new RecordingConsumer();
        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [Loopback4],
            AllowedExporters = [FlowExporterRule.Parse("127.0.0.0/8"), FlowExporterRule.Parse("127.0.0.2", maxSamplingRate: 512)],
        }, _ => consumer);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        SendFrom(Known, target, Sampled("ipfix", 10, 1_000, NetAddress.Parse("127.0.0.2")));
        SendFrom(IPAddress.Parse("127.0.0.3"), target, Sampled("ipfix", 10, 1_000, NetAddress.Parse("127.0.0.3")));
        await WaitForAsync(collector, s => s.Records >= 2);
        await collector.StopAsync();

        var snapshot = collector.Snapshot();
        Assert.Equal(1, snapshot.Find(NetAddress.Parse("127.0.0.2"))!.SamplingCapped);
        Assert.Equal(0, snapshot.Find(NetAddress.Parse("127.0.0.3"))!.SamplingCapped);
        Assert.Equal(10ul + 10_000ul, consumer.Packets);
    }

    [Fact]
    public async Task Run_NoExporterList_LoopbackAllowedOthersRefused()
    {
        var consumer = new RecordingConsumer();
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] }, _ => consumer);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        SendFrom(IPAddress.Parse("127.0.0.9"), target, TestData.IpfixDatagram(3));
        await WaitForAsync(collector, s => s.Records >= 3);
        await collector.StopAsync();

        Assert.Equal(3, consumer.Records);
        var policy = new ExporterPolicy(null, FlowCollectorOptions.DefaultMaxSamplingRate);
        Assert.True(policy.TryGet(NetAddress.Parse("127.0.0.1"), out var rate));
        Assert.Equal(FlowCollectorOptions.DefaultMaxSamplingRate, rate);
        Assert.True(policy.TryGet(NetAddress.Parse("::1"), out _));
        Assert.False(policy.TryGet(NetAddress.Parse("192.0.2.1"), out _));
        Assert.False(policy.TryGet(NetAddress.Parse("2001:db8::1"), out _));
    }

    [Fact]
    public async Task Run_UnknownExporter_NeverReachesTemplateCacheOrConsumer()
    {
        var consumer = new RecordingConsumer();
        await using var collector = new FlowCollector(new FlowCollectorOptions
        {
            NetFlowEndpoints = [Loopback4],
            AllowedExporters = [FlowExporterRule.Parse("192.0.2.0/24")],
        }, _ => consumer);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);

        SendFrom(Unknown, target, TestData.IpfixDatagram(3), TestData.V9Datagram(3));
        await WaitForAsync(collector, s => s.RefusedDatagrams >= 2);
        await collector.StopAsync();

        var snapshot = collector.Snapshot();
        Assert.Equal(0, consumer.Datagrams);
        Assert.Equal(0, consumer.Records);
        Assert.Empty(snapshot.Exporters);
        Assert.Equal(2, snapshot.RefusedDatagrams);
        Assert.Equal(TestData.IpfixDatagram(3).Length + TestData.V9Datagram(3).Length, snapshot.Refused[0].Bytes);
        var decoder = collector.Loops[0].Decoder;
        Assert.Equal(0, decoder.Ipfix.Templates.SessionCount + decoder.NetFlowV9.Templates.SessionCount);
    }

    [Fact]
    public async Task Run_OneExporterFloodsTemplates_OtherExporterStillDecoded()
    {
        var consumer = new RecordingConsumer();
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] }, _ => consumer);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        var flooder = IPAddress.Parse("127.0.0.3");
        SendFrom(Known, target, TestData.IpfixDatagram(2));
        await WaitForAsync(collector, s => s.Records >= 2);

        // More observation domains than the old shared cap (4096 sessions), each with a template, from one address.
        const int Domains = 5_000;
        for (var batch = 0; batch < Domains; batch += 500)
        {
            SendFrom(flooder, target, [.. Enumerable.Range(batch, 500).Select(d => new IpfixWriter(1, 0, (uint)(100 + d)).Template(256, TemplateMessageWriter.StandardIPv4Fields).ToArray())]);
            var expected = 1 + batch + 500;
            await WaitForAsync(collector, s => s.Datagrams >= expected);
        }
        SendFrom(Known, target, IpfixWriter.Flows(TestData.Flows(2), 1_700_000_101, 2, 7, withTemplate: false));
        await WaitForAsync(collector, s => s.Records >= 4);
        await collector.StopAsync();

        var snapshot = collector.Snapshot();
        var victim = snapshot.Find(NetAddress.FromV4(0x7F000002))!;
        Assert.Equal(4, victim.Records);
        Assert.Equal(0, victim.DecodeErrors(DecodeStatus.NeedTemplate));
        Assert.Equal(Domains, snapshot.Find(NetAddress.Parse("127.0.0.3"))!.Datagrams);
        var cache = collector.Loops[0].Decoder.Ipfix.Templates;
        Assert.Equal(FlowLimits.MaxSessionsPerExporter + 1, cache.SessionCount);
        Assert.Equal(1, cache.TemplateCountOf(NetAddress.Parse("127.0.0.2")));
    }

    sealed class ThrowingConsumer : IFlowRecordConsumer
    {
        public long Records;
        public bool ThrowOnFirstDatagram { get; init; }
        int _datagrams;

        public void OnDatagram(in FlowDatagram datagram)
        {
            if (_datagrams++ == 0 && ThrowOnFirstDatagram)
            {
                throw new InvalidOperationException("consumer bug on a datagram");
            }
        }

        public void OnFlow(in FlowRecord record)
        {
            if (record.DstPort == 666)
            {
                throw new InvalidOperationException("consumer bug on a record");
            }
            Records++;
        }

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
        }
    }

    sealed class ListLogger : ILogger<FlowCollector>
    {
        public List<(LogLevel Level, Exception? Exception, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, exception, formatter(state, exception)));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ConsumerThrows_CountedLoggedAndLaterDatagramsStillProcessed(bool onDatagram)
    {
        var consumer = new ThrowingConsumer { ThrowOnFirstDatagram = onDatagram };
        var logger = new ListLogger();
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] }, _ => consumer, logger: logger);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        var poison = onDatagram
            ? TestData.IpfixDatagram(3)
            : IpfixWriter.Flows([.. TestData.Flows(3).Select(f => f with { DstPort = 666 })], 1_700_000_100, 0, 7);

        SendRaw(target, poison);
        await WaitForAsync(collector, s => s.Datagrams >= 1);
        SendRaw(target, TestData.IpfixDatagram(10), TestData.IpfixDatagram(10));
        await WaitForAsync(collector, s => s.Datagrams >= 3 && consumer.Records >= 20);
        await collector.StopAsync();

        Assert.Equal(20, consumer.Records);
        var snapshot = collector.Snapshot();
        Assert.Equal(1, snapshot.ConsumerErrors);
        Assert.Equal(0, snapshot.DecoderErrors);
        Assert.Equal(1, Assert.Single(snapshot.Exporters).ProcessingErrors);
        Assert.Equal(1, collector.ConsumerErrors);
        var logged = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains("consumer", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConsumerThrowsOnEveryRecord_LogIsRateLimitedAndLoopLives()
    {
        var consumer = new ThrowingConsumer();
        var logger = new ListLogger();
        await using var collector = new FlowCollector(new FlowCollectorOptions { NetFlowEndpoints = [Loopback4] }, _ => consumer, logger: logger);
        collector.Start();
        var target = collector.EndPointOf(FlowListenerKind.NetFlow);
        var poison = IpfixWriter.Flows([.. TestData.Flows(3).Select(f => f with { DstPort = 666 })], 1_700_000_100, 0, 7);

        SendRaw(target, [.. Enumerable.Repeat(poison, 200), TestData.IpfixDatagram(5)]);
        await WaitForAsync(collector, s => s.Datagrams >= 201);
        await collector.StopAsync();

        Assert.Equal(200, collector.ConsumerErrors);
        Assert.Equal(5, consumer.Records);
        Assert.InRange(logger.Entries.Count(e => e.Level == LogLevel.Error), 1, 2);
    }
}
