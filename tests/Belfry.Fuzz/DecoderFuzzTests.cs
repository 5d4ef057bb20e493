using Belfry.Core.Net;
using Belfry.Flows;
using Belfry.Flows.Pcap;
using Belfry.Flows.Templates;

namespace Belfry.Fuzz;

/// <summary>
/// Each decoder and the pcap reader on mutated real and generated inputs. What must hold for any
/// input: no exception (problems are a <see cref="DecodeStatus"/> or <see cref="PcapStatus"/>), a
/// defined status, no more records than the input has bytes, every record's counts consistent
/// with its sampling rate, template state within its per-exporter caps and consistently counted,
/// and memory allocated per call bounded by the input's size.
/// </summary>
public class DecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Small caps, so the fuzz reaches every eviction and refusal path.</summary>
    static readonly FlowTemplateLimits s_smallLimits = new() { MaxExporters = 6, MaxSessionsPerExporter = 3, MaxTemplatesPerExporter = 24, MaxTemplatesPerSession = 16 };

    static readonly NetAddress[] s_exporters = [.. Enumerable.Range(0, 9).Select(i => NetAddress.FromV4(0xC000_0200u + (uint)i))];

    /// <summary>Checks each record as it is delivered.</summary>
    struct CheckingSink : IFlowSink
    {
        public long Records;
        public long Counters;

        public void OnFlow(in FlowRecord r)
        {
            Records++;
            if (r.SamplingRate == 0)
            {
                throw new InvariantException("record with sampling rate 0");
            }
            if (r.Packets != Scale(r.RawPackets, r.SamplingRate) || r.Bytes != Scale(r.RawBytes, r.SamplingRate))
            {
                throw new InvariantException($"corrected counts {r.Packets}/{r.Bytes} are not raw {r.RawPackets}/{r.RawBytes} × {r.SamplingRate}");
            }
        }

        public void OnCounters(in SFlowInterfaceCounters counters) => Counters++;

        static ulong Scale(ulong raw, uint rate)
        {
            var hi = Math.BigMul(raw, rate, out var lo);
            return hi == 0 ? lo : ulong.MaxValue;
        }
    }

    /// <summary>Generous for a template set that defines a template per 8 bytes; far below what a loop without bound would allocate.</summary>
    static long AllocationBound(int inputLength) => (64 * 1024) + (64L * inputLength);

    static NetAddress ExporterOf(byte[] input) => s_exporters[(input.Length + (input.Length > 5 ? input[5] : 0)) % s_exporters.Length];

    static void CheckDatagram(byte[] input, Func<byte[], NetAddress, CheckingSink, (DecodeStatus, CheckingSink)> decode, params FlowTemplateCache[] caches)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var (status, sink) = decode(input, ExporterOf(input), default);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (!Enum.IsDefined(status))
        {
            throw new InvariantException($"undefined status {(int)status}");
        }
        if (sink.Records + sink.Counters > input.Length)
        {
            throw new InvariantException($"{sink.Records} records and {sink.Counters} counter records from {input.Length} bytes");
        }
        if (allocated > AllocationBound(input.Length))
        {
            throw new InvariantException($"allocated {allocated} bytes for a {input.Length}-byte datagram");
        }
        foreach (var cache in caches)
        {
            CheckCache(cache);
        }
    }

    static void CheckCache(FlowTemplateCache cache)
    {
        var l = cache.Limits;
        if (cache.ExporterCount > l.MaxExporters || cache.SessionCount > l.MaxExporters * l.MaxSessionsPerExporter)
        {
            throw new InvariantException($"{cache.ExporterCount} exporters, {cache.SessionCount} sessions above the caps");
        }
        foreach (var e in s_exporters)
        {
            if (cache.TemplateCountOf(e) > l.MaxTemplatesPerExporter)
            {
                throw new InvariantException($"{e} holds {cache.TemplateCountOf(e)} templates, above {l.MaxTemplatesPerExporter}");
            }
        }
        if (cache.TemplateCount != cache.CountTemplatesInSessions())
        {
            throw new InvariantException($"per-exporter template counts say {cache.TemplateCount}, the sessions hold {cache.CountTemplatesInSessions()}");
        }
    }

    void Report(FuzzReport r) => output.WriteLine($"{r.Target}: {r.Iterations:N0} inputs in {r.Elapsed.TotalSeconds:F1} s, seed {FuzzSettings.Seed}");

    [Fact]
    public void Seeds_IncludeCapturesGeneratorOutputAndEveryFormat()
    {
        Assert.NotEmpty(Seeds.CaptureFiles);
        Assert.NotEmpty(Seeds.CaptureDatagrams());
        var versions = Seeds.Datagrams.Where(d => d.Length >= 4).Select(d => d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3]).Select(v => v >> 16 == 0 ? v : v >> 16).ToHashSet();
        Assert.Superset(new HashSet<int> { 5, 9, 10 }, versions);
        Assert.True(Seeds.Datagrams.Count > 100, $"{Seeds.Datagrams.Count} seeds");
        Assert.True(Seeds.Pcaps.Count > Seeds.CaptureFiles.Length);
    }

    [Fact]
    public void Seeds_DecodeInOrder_AllOk()
    {
        var decoder = new FlowDecoder();
        var sink = new CheckingSink();
        var statuses = Seeds.Datagrams.Select(d => decoder.Decode(d, s_exporters[0], 1_700_000_000_000, ref sink)).ToList();
        Assert.All(statuses, s => Assert.Equal(DecodeStatus.Ok, s));
        Assert.True(sink.Records > 1_000);
    }

    [Fact]
    public async Task FlowDecoder_MutatedDatagramsAcrossExporters_NoExceptionAndBounded()
    {
        var decoder = new FlowDecoder(s_smallLimits);
        var r = await FuzzRunner.RunAsync("flowdecoder", Seeds.Datagrams, input => CheckDatagram(input, (d, e, sink) =>
        {
            var s = decoder.Decode(d, e, 1_700_000_000_000, ref sink);
            return (s, sink);
        }, decoder.NetFlowV9.Templates, decoder.Ipfix.Templates));
        Report(r);
    }

    [Fact]
    public async Task NetFlowV5_MutatedDatagrams_NoExceptionAndBounded()
    {
        var seeds = Seeds.Datagrams.Where(d => d.Length >= 2 && d[0] == 0 && d[1] == 5).ToList();
        var r = await FuzzRunner.RunAsync("netflow5", seeds, input => CheckDatagram(input, (d, e, sink) =>
        {
            var s = NetFlowV5Decoder.Decode(d, e, ref sink);
            if (sink.Records > FlowLimits.MaxNetFlowV5Records)
            {
                throw new InvariantException($"{sink.Records} v5 records");
            }
            return (s, sink);
        }));
        Report(r);
    }

    [Fact]
    public async Task NetFlowV9_MutatedDatagrams_NoExceptionAndBounded()
    {
        var decoder = new NetFlowV9Decoder(new FlowTemplateCache(s_smallLimits));
        var seeds = Seeds.Datagrams.Where(d => d.Length >= 2 && d[0] == 0 && d[1] == 9).ToList();
        var r = await FuzzRunner.RunAsync("netflow9", seeds, input => CheckDatagram(input, (d, e, sink) =>
        {
            var s = decoder.Decode(d, e, ref sink);
            return (s, sink);
        }, decoder.Templates));
        Report(r);
    }

    [Fact]
    public async Task Ipfix_MutatedDatagrams_NoExceptionAndBounded()
    {
        var decoder = new IpfixDecoder(new FlowTemplateCache(s_smallLimits));
        var seeds = Seeds.Datagrams.Where(d => d.Length >= 2 && d[0] == 0 && d[1] == 10).ToList();
        var r = await FuzzRunner.RunAsync("ipfix", seeds, input => CheckDatagram(input, (d, e, sink) =>
        {
            var s = decoder.Decode(d, e, ref sink);
            return (s, sink);
        }, decoder.Templates));
        Report(r);
    }

    [Fact]
    public async Task SFlow_MutatedDatagrams_NoExceptionAndBounded()
    {
        var seeds = Seeds.Datagrams.Where(d => d.Length >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 5).ToList();
        var r = await FuzzRunner.RunAsync("sflow", seeds, input => CheckDatagram(input, (d, e, sink) =>
        {
            var s = SFlowDecoder.Decode(d, 1_700_000_000_000, ref sink);
            return (s, sink);
        }));
        Report(r);
    }

    [Fact]
    public async Task PcapReader_MutatedCaptures_NoExceptionAndBounded()
    {
        // Whole files are larger than datagrams: fewer iterations for the same time.
        var r = await FuzzRunner.RunAsync("pcap", Seeds.Pcaps, CheckPcap, Math.Max(1, FuzzSettings.Iterations / 5));
        Report(r);
    }

    static void CheckPcap(byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var ms = new MemoryStream(input, writable: false))
        {
            var reader = new PcapReader(ms);
            long datagrams = 0;
            while (reader.TryReadUdp(out var d))
            {
                datagrams++;
                if (d.Payload.Length > input.Length)
                {
                    throw new InvariantException($"a {d.Payload.Length}-byte payload from a {input.Length}-byte file");
                }
            }
            if (!Enum.IsDefined(reader.Status))
            {
                throw new InvariantException($"undefined pcap status {(int)reader.Status}");
            }
            // Every packet record has a 16-byte header, after the 24-byte file header.
            if (reader.Packets > Math.Max(0, input.Length - 24) / 16 || datagrams > reader.Packets)
            {
                throw new InvariantException($"{reader.Packets} packets, {datagrams} datagrams from {input.Length} bytes");
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The reader's buffer grows to the largest record (at most MaxPcapRecordLength), doubling.
        if (allocated > (4L * FlowLimits.MaxPcapRecordLength) + AllocationBound(input.Length))
        {
            throw new InvariantException($"allocated {allocated} bytes reading a {input.Length}-byte capture");
        }

        // The offline decoder over the same bytes: reader and decoders together.
        using var again = new MemoryStream(input, writable: false);
        var files = new FlowFileDecoder();
        var sink = new CheckingSink();
        var status = files.Decode(again, ref sink);
        if (!Enum.IsDefined(status) || files.Counters.Datagrams > files.Counters.Packets || sink.Records > input.Length)
        {
            throw new InvariantException($"offline decode: status {status}, {files.Counters.Datagrams} datagrams of {files.Counters.Packets} packets, {sink.Records} records");
        }
    }
}
