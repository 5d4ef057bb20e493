using BenchmarkDotNet.Attributes;
using Belfry.Core.Net;
using Belfry.Ddos.Counters;
using Belfry.Ddos.Detection;
using Belfry.Flows;
using Belfry.Flows.Generation;

namespace Belfry.Benchmarks.Flow;

/// <summary>
/// Decode and count in memory, per flow record: IPFIX and NetFlow v9 datagrams of 30 records
/// (templates sent once in setup), decoded into a counting sink or into a DDoS counter shard.
/// Budget: 0 B allocated per record.
/// </summary>
[MemoryDiagnoser]
public class FlowDecodeBenchmarks
{
    const int RecordsPerDatagram = 30;
    const int Datagrams = 64;
    const int Records = RecordsPerDatagram * Datagrams;

    readonly NetAddress _exporter = NetAddress.Parse("192.0.2.250");
    byte[][] _ipfix = [];
    byte[][] _v9 = [];
    readonly IpfixDecoder _ipfixDecoder = new();
    readonly NetFlowV9Decoder _v9Decoder = new();
    CounterShard _shard = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(23768213);
        FlowRecord Next() => new()
        {
            SrcAddress = NetAddress.FromV4((uint)rng.Next()),
            DstAddress = NetAddress.FromV4(0xC6120000u | (uint)rng.Next(0, 1 << 16)),
            SrcPort = (ushort)rng.Next(1, 65536),
            DstPort = (ushort)rng.Next(1, 1024),
            Protocol = (byte)(rng.Next(3) switch { 0 => 6, 1 => 17, _ => 1 }),
            TcpFlags = 0x10,
            Packets = (ulong)rng.Next(1, 100),
            Bytes = (ulong)rng.Next(64, 150_000),
            RawPackets = (ulong)rng.Next(1, 100),
            RawBytes = (ulong)rng.Next(64, 150_000),
            SamplingRate = 1,
        };
        _ipfix = new byte[Datagrams][];
        _v9 = new byte[Datagrams][];
        for (var d = 0; d < Datagrams; d++)
        {
            var records = Enumerable.Range(0, RecordsPerDatagram).Select(_ => Next()).ToArray();
            _ipfix[d] = IpfixWriter.Flows(records, 1_764_460_800, (uint)(d * RecordsPerDatagram), 1, withTemplate: false);
            _v9[d] = NetFlowV9Writer.Flows(records, 1000, 1_764_460_800, (uint)d, 1, withTemplate: false);
        }
        // Teach the decoders the template once.
        var sink = new CountingFlowSink();
        _ipfixDecoder.Decode(IpfixWriter.Flows([Next()], 1_764_460_800, 0, 1), _exporter, ref sink);
        _v9Decoder.Decode(NetFlowV9Writer.Flows([Next()], 1000, 1_764_460_800, 0, 1), _exporter, ref sink);
        var detector = new DdosDetector(new DetectorOptions { Networks = [new MonitoredNetwork(NetPrefix.Parse("198.18.0.0/15"))] });
        _shard = detector.CreateShard();
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long IpfixDecode()
    {
        var sink = new CountingFlowSink();
        foreach (var d in _ipfix)
        {
            _ipfixDecoder.Decode(d, _exporter, ref sink);
        }
        return sink.Records;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long NetFlowV9Decode()
    {
        var sink = new CountingFlowSink();
        foreach (var d in _v9)
        {
            _v9Decoder.Decode(d, _exporter, ref sink);
        }
        return sink.Records;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int IpfixDecodeAndCount()
    {
        var sink = _shard.Sink;
        foreach (var d in _ipfix)
        {
            _ipfixDecoder.Decode(d, _exporter, ref sink);
        }
        return Records;
    }
}
