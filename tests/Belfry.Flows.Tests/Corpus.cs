using Belfry.Core.Net;
using Belfry.Flows.Generation;
using Belfry.Flows.Pcap;

namespace Belfry.Flows.Tests;

/// <summary>Valid datagrams of every format, generated and taken from the real captures, for bad-input tests.</summary>
internal static class Corpus
{
    static readonly Lazy<byte[][]> s_all = new(Build);

    public static byte[][] All => s_all.Value;

    static byte[][] Build()
    {
        var list = new List<byte[]>
        {
            NetFlowV5Writer.Write(TestData.Flows(5), 1_000_000, 1_700_000_000, 1, 100),
            TestData.V9Datagram(5),
            TestData.V9Datagram(3, v6: true),
            TestData.IpfixDatagram(5),
            TestData.IpfixDatagram(3, v6: true),
        };
        var o = new IpfixWriter(1, 1, 7).OptionsTemplate(300, 1, new FieldSpec(302, 4), new FieldSpec(305, 4), new FieldSpec(306, 4), new FieldSpec(335, FieldSpec.Variable), new FieldSpec(5, 4, 9));
        o.BeginData(300);
        o.Buffer.U32(1).U32(1).U32(99);
        o.VariableBytes("sampler"u8).Buffer.U32(5);
        o.Record();
        list.Add(o.ToArray());
        var spec = new PacketSpec { Src = NetAddress.Parse("2001:db8::1"), Dst = NetAddress.Parse("2001:db8::2"), Protocol = 6, SrcPort = 1, DstPort = 2, Vlans = [10, 20], MplsLabels = [100], IPv6HopByHop = true, MoreFragments = true };
        list.Add(new SFlowWriter(NetAddress.Parse("10.0.0.9"), 0, 1, 1)
            .FlowSample(100, PacketBuilder.Ethernet(spec), 1000, gateway: (1, [2, 3]), switchVlan: 5)
            .FlowSample(100, PacketBuilder.Ethernet(spec with { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2") }), 1000, expanded: true)
            .CounterSample(new SFlowInterfaceCounters { IfIndex = 1 })
            .ToArray());
        foreach (var f in Directory.GetFiles(TestData.CapturesDirectory, "*.pcap").Order(StringComparer.Ordinal))
        {
            using var s = File.OpenRead(f);
            var reader = new PcapReader(s);
            while (reader.TryReadUdp(out var d))
            {
                list.Add(d.Payload.ToArray());
            }
        }
        return [.. list];
    }

    /// <summary>Decodes a sequence with a fresh decoder, priming templates in order.</summary>
    public static (List<FlowRecord> Records, List<DecodeStatus> Statuses) DecodeAll(IEnumerable<byte[]> datagrams, FlowDecoder? decoder = null)
    {
        decoder ??= new FlowDecoder();
        var sink = new CollectingFlowSink();
        var statuses = new List<DecodeStatus>();
        foreach (var d in datagrams)
        {
            statuses.Add(decoder.Decode(d, TestData.Exporter, 1_700_000_000_000, ref sink));
        }
        return (sink.Records, statuses);
    }
}
