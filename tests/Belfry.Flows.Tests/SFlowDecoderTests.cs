using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

public class SFlowDecoderTests
{
    static readonly NetAddress s_agent = NetAddress.Parse("203.0.113.5");

    // Hand-built sFlow v5 datagram: agent 203.0.113.5, sub-agent 0, one flow sample (rate 2048,
    // input 3, output 4) with a raw Ethernet header: VLAN 100, IPv4 10.1.1.1 -> 10.2.2.2 UDP 53 -> 40000,
    // frame length 1400.
    static readonly byte[] s_handBuilt =
    [
        0, 0, 0, 5, 0, 0, 0, 1, 203, 0, 113, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 100, 0, 0, 0, 1,
        0, 0, 0, 1, 0, 0, 0, 104, // flow sample, 32 + 8 + 16 + 48 = 104 bytes
        0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 8, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1,
        0, 0, 0, 1, 0, 0, 0, 64, // raw packet header record, 16 + 48
        0, 0, 0, 1, 0, 0, 5, 120, 0, 0, 0, 4, 0, 0, 0, 46,
        2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00,
        0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 1, 1, 1, 10, 2, 2, 2,
        0, 53, 0x9C, 0x40, 0, 8, 0, 0,
        0, 0, // padding to 48
    ];

    [Fact]
    public void Decode_HandBuiltDatagram_ReturnsHandDecodedFields()
    {
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, SFlowDecoder.Decode(s_handBuilt, 1_700_000_000_000, ref sink));
        var r = Assert.Single(sink.Records);
        Assert.Equal(FlowSource.SFlow, r.Source);
        Assert.Equal(s_agent, r.Exporter);
        Assert.Equal(NetAddress.Parse("10.1.1.1"), r.SrcAddress);
        Assert.Equal(NetAddress.Parse("10.2.2.2"), r.DstAddress);
        Assert.Equal((ushort)53, r.SrcPort);
        Assert.Equal((ushort)40000, r.DstPort);
        Assert.Equal((byte)17, r.Protocol);
        Assert.Equal((ushort)100, r.Vlan);
        Assert.Equal(2048u, r.SamplingRate);
        Assert.Equal(2048ul, r.Packets);
        Assert.Equal(1400ul * 2048, r.Bytes);
        Assert.Equal(3u, r.InputInterface);
        Assert.Equal(4u, r.OutputInterface);
        Assert.Equal(1_700_000_000_000, r.StartUnixMs);
    }

    public static TheoryData<string, bool> Shapes() => new()
    {
        { "plain-v4", false }, { "vlan-v4", false }, { "qinq-v6", true }, { "mpls-v4", true }, { "mpls-v6", false }, { "v6-hbh-frag", true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decode_GeneratedFrames_ParsesEveryLayer(string shape, bool expanded)
    {
        var v6 = shape.Contains("v6", StringComparison.Ordinal);
        var spec = new PacketSpec
        {
            Src = v6 ? NetAddress.Parse("2001:db8::1") : NetAddress.Parse("10.0.0.1"),
            Dst = v6 ? NetAddress.Parse("2001:db8::2") : NetAddress.Parse("10.0.0.2"),
            Protocol = 6,
            SrcPort = 4444,
            DstPort = 443,
            TcpFlags = 0x02,
            Vlans = shape switch { "vlan-v4" => [42], "qinq-v6" => [300, 42], _ => [] },
            MplsLabels = shape.StartsWith("mpls", StringComparison.Ordinal) ? [16001, 24005] : [],
            IPv6HopByHop = shape == "v6-hbh-frag",
            MoreFragments = shape == "v6-hbh-frag",
        };
        var frame = PacketBuilder.Ethernet(spec);
        var dgram = new SFlowWriter(NetAddress.Parse("2001:db8:a::1"), 1, 1, 1000).FlowSample(100, frame, 1500, expanded: expanded).ToArray();
        var sink = new CollectingFlowSink();

        Assert.Equal(DecodeStatus.Ok, SFlowDecoder.Decode(dgram, 0, ref sink));
        var r = Assert.Single(sink.Records);
        Assert.Equal(NetAddress.Parse("2001:db8:a::1"), r.Exporter);
        Assert.Equal(spec.Src, r.SrcAddress);
        Assert.Equal(spec.Dst, r.DstAddress);
        Assert.Equal((byte)6, r.Protocol);
        Assert.Equal((ushort)4444, r.SrcPort);
        Assert.Equal((ushort)443, r.DstPort);
        Assert.Equal((ushort)0x02, r.TcpFlags);
        Assert.Equal(spec.Vlans.Count > 0 ? spec.Vlans[0] : (ushort)0, r.Vlan);
        Assert.Equal(spec.MoreFragments, r.IsFragment);
        Assert.Equal(150_000ul, r.Bytes);
    }

    [Fact]
    public void Decode_IPv4LaterFragment_HasNoPorts()
    {
        var spec = new PacketSpec { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2"), Protocol = 17, SrcPort = 53, DstPort = 99, FragmentOffset = 185 };
        var dgram = new SFlowWriter(s_agent, 0, 1, 1).FlowSample(10, PacketBuilder.Ethernet(spec), 1500).ToArray();
        var sink = new CollectingFlowSink();
        SFlowDecoder.Decode(dgram, 0, ref sink);
        var r = Assert.Single(sink.Records);
        Assert.True(r.IsFragment);
        Assert.Equal((ushort)0, r.SrcPort);
        Assert.Equal((byte)17, r.Protocol);
    }

    [Fact]
    public void Decode_IcmpAndExtendedData_Decoded()
    {
        var spec = new PacketSpec { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2"), Protocol = 1, IcmpType = 8, IcmpCode = 0 };
        var dgram = new SFlowWriter(s_agent, 0, 1, 1).FlowSample(10, PacketBuilder.Ethernet(spec), 98, switchVlan: 77, gateway: (64496, [64500, 64511])).ToArray();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, SFlowDecoder.Decode(dgram, 0, ref sink));
        var r = Assert.Single(sink.Records);
        Assert.Equal((byte)8, r.IcmpType);
        Assert.Equal((ushort)77, r.Vlan);
        Assert.Equal(64496u, r.SrcAs);
        Assert.Equal(64511u, r.DstAs);
    }

    [Fact]
    public void Decode_RawIpHeaderProtocol_Decoded()
    {
        var spec = new PacketSpec { Src = NetAddress.Parse("2001:db8::5"), Dst = NetAddress.Parse("2001:db8::6"), Protocol = 17, SrcPort = 123, DstPort = 5000 };
        var dgram = new SFlowWriter(s_agent, 0, 1, 1).FlowSample(10, PacketBuilder.Ip(spec), 500, headerProtocol: 12).ToArray();
        var sink = new CollectingFlowSink();
        SFlowDecoder.Decode(dgram, 0, ref sink);
        Assert.Equal((ushort)123, Assert.Single(sink.Records).SrcPort);
    }

    [Fact]
    public void Decode_CounterSamples_GoToOnCounters()
    {
        var c = new SFlowInterfaceCounters { SourceIdType = 0, SourceIdIndex = 5, IfIndex = 5, IfType = 6, IfSpeed = 10_000_000_000, InOctets = 123_456_789_012, OutUnicastPackets = 77, PromiscuousMode = 1 };
        var dgram = new SFlowWriter(s_agent, 2, 1, 1).CounterSample(c).CounterSample(c with { IfIndex = 6, SourceIdIndex = 6 }, expanded: true).ToArray();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, SFlowDecoder.Decode(dgram, 0, ref sink));
        Assert.Empty(sink.Records);
        Assert.Equal(2, sink.Counters.Count);
        Assert.Equal(c with { Agent = s_agent, SubAgentId = 2 }, sink.Counters[0]);
        Assert.Equal(6u, sink.Counters[1].SourceIdIndex);
    }

    [Fact]
    public void Decode_SamplingRateZero_ReturnsBadSamplingAndDropsSample()
    {
        var d = (byte[])s_handBuilt.Clone();
        d[46] = 0; // sampling rate 0x00000800 -> 0
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadSampling, SFlowDecoder.Decode(d, 0, ref sink));
        Assert.Empty(sink.Records);
    }

    [Fact]
    public void Decode_BadAgentAddressType_ReturnsBadHeader()
    {
        var d = (byte[])s_handBuilt.Clone();
        d[7] = 3;
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadHeader, SFlowDecoder.Decode(d, 0, ref sink));
    }

    [Fact]
    public void Decode_SampleCountAbsurd_ReturnsBadCount()
    {
        var d = (byte[])s_handBuilt.Clone();
        d[24] = 0x7F;
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadCount, SFlowDecoder.Decode(d, 0, ref sink));
    }
}
