using Belfry.Flows.Pcap;

namespace Belfry.Flows;

/// <summary>Counts kept by a <see cref="FlowFileDecoder"/> over all files it was fed.</summary>
public sealed class FlowDecodeCounters
{
    readonly long[] _byStatus = new long[DecodeStatuses.Count];

    public long Files { get; internal set; }
    public long Packets { get; internal set; }

    /// <summary>Captured packets that were not UDP, were fragments, or did not match the port filter.</summary>
    public long SkippedPackets { get; internal set; }

    public long Datagrams { get; internal set; }
    public long FlowRecords { get; internal set; }
    public long CounterRecords { get; internal set; }

    /// <summary>Datagrams whose decode returned <paramref name="status"/>.</summary>
    public long this[DecodeStatus status] => _byStatus[(int)status];

    internal void Add(DecodeStatus status) => _byStatus[(int)status]++;
}

/// <summary>
/// Offline decoding of captures (<c>belfry flows decode FILE.pcap...</c>): feed files in order,
/// template state is shared across them as it would be on a live collector.
/// </summary>
public sealed class FlowFileDecoder
{
    struct CountingSink<TSink>(TSink inner) : IFlowSink
        where TSink : struct, IFlowSink
    {
        public TSink Inner = inner;
        public long Flows;
        public long Counters;

        public void OnFlow(in FlowRecord record)
        {
            Flows++;
            Inner.OnFlow(in record);
        }

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
            Counters++;
            Inner.OnCounters(in counters);
        }
    }

    public FlowDecoder Decoder { get; } = new();
    public FlowDecodeCounters Counters { get; } = new();

    /// <summary>When not empty, only UDP datagrams to these destination ports are decoded.</summary>
    public ISet<ushort> Ports { get; } = new HashSet<ushort>();

    /// <summary>Decodes every UDP datagram of a capture; returns <see cref="PcapStatus.End"/> when the whole file was read.</summary>
    public PcapStatus Decode<TSink>(Stream pcap, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var reader = new PcapReader(pcap);
        var counting = new CountingSink<TSink>(sink);
        Counters.Files++;
        var before = reader.Packets;
        try
        {
            while (reader.TryReadUdp(out var d))
            {
                if (Ports.Count != 0 && !Ports.Contains(d.DestinationPort))
                {
                    Counters.SkippedPackets++;
                    continue;
                }
                Counters.Datagrams++;
                var status = Decoder.Decode(d.Payload, d.Source, d.TimestampUnixMicros / 1000, ref counting);
                Counters.Add(status);
            }
        }
        finally
        {
            sink = counting.Inner;
            Counters.Packets += reader.Packets - before;
            Counters.SkippedPackets += reader.SkippedPackets;
            Counters.FlowRecords += counting.Flows;
            Counters.CounterRecords += counting.Counters;
        }
        return reader.Status;
    }

    /// <summary>Opens and decodes one capture file.</summary>
    public PcapStatus DecodeFile<TSink>(string path, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Decode(stream, ref sink);
    }
}
