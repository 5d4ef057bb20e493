using System.Buffers.Binary;
using Belfry.Core.Net;
using Belfry.Flows.Generation;
using Belfry.Flows.Pcap;

namespace Belfry.Flows.Tests;

public class PcapReaderTests
{
    static readonly byte[] s_ipv4Udp =
    [
        0x45, 0, 0, 31, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 7, 192, 0, 2, 8, // IPv4, total 31, DF
        0x30, 0x39, 0x08, 0x07, 0, 11, 0, 0, // UDP 12345 -> 2055, length 11
        0xAA, 0xBB, 0xCC,
    ];

    static byte[] File(bool bigEndian, bool nanos, uint linkType, byte[] frame, uint seconds, uint fraction)
    {
        var b = new byte[24 + 16 + frame.Length];
        void W32(int at, uint v)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
            }
        }
        W32(0, nanos ? 0xA1B23C4D : 0xA1B2C3D4);
        W32(16, 65535);
        W32(20, linkType);
        W32(24, seconds);
        W32(28, fraction);
        W32(32, (uint)frame.Length);
        W32(36, (uint)frame.Length);
        frame.CopyTo(b, 40);
        return b;
    }

    public static TheoryData<bool, bool, uint> Variants() => new()
    {
        { false, false, PcapReader.LinkTypeRaw }, { true, false, PcapReader.LinkTypeRaw }, { true, true, PcapReader.LinkTypeLinuxSll },
        { false, true, PcapReader.LinkTypeEthernet }, { true, false, PcapReader.LinkTypeNull }, { false, false, PcapReader.LinkTypeLinuxSll2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void TryReadUdp_EndiannessPrecisionAndLinkType_YieldsPayload(bool bigEndian, bool nanos, uint linkType)
    {
        var frame = linkType switch
        {
            PcapReader.LinkTypeLinuxSll => (byte[])[.. new byte[14], 0x08, 0x00, .. s_ipv4Udp],
            PcapReader.LinkTypeLinuxSll2 => [0x08, 0x00, .. new byte[18], .. s_ipv4Udp],
            PcapReader.LinkTypeEthernet => [.. new byte[12], 0x81, 0x00, 0x00, 0x05, 0x08, 0x00, .. s_ipv4Udp],
            PcapReader.LinkTypeNull => [2, 0, 0, 0, .. s_ipv4Udp],
            _ => s_ipv4Udp,
        };
        using var s = new MemoryStream(File(bigEndian, nanos, linkType, frame, 1_700_000_000, nanos ? 5_000_000u : 5_000u));
        var reader = new PcapReader(s);

        Assert.True(reader.TryReadUdp(out var d));
        Assert.Equal(NetAddress.Parse("192.0.2.7"), d.Source);
        Assert.Equal(NetAddress.Parse("192.0.2.8"), d.Destination);
        Assert.Equal((ushort)12345, d.SourcePort);
        Assert.Equal((ushort)2055, d.DestinationPort);
        Assert.Equal(1_700_000_000_005_000L, d.TimestampUnixMicros);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, d.Payload.ToArray());
        Assert.False(reader.TryReadUdp(out _));
        Assert.Equal(PcapStatus.End, reader.Status);
    }

    [Fact]
    public void TryReadUdp_PcapNg_ReturnsBadMagic()
    {
        using var s = new MemoryStream([0x0A, 0x0D, 0x0D, 0x0A, .. new byte[40]]);
        var reader = new PcapReader(s);
        Assert.False(reader.TryReadUdp(out _));
        Assert.Equal(PcapStatus.BadMagic, reader.Status);
    }

    [Fact]
    public void TryReadUdp_FileCutInsidePacket_ReturnsTruncated()
    {
        var f = File(false, false, PcapReader.LinkTypeRaw, s_ipv4Udp, 1, 0);
        for (var cut = 0; cut < f.Length; cut++)
        {
            using var s = new MemoryStream(f[..cut]);
            var reader = new PcapReader(s);
            Assert.False(reader.TryReadUdp(out _));
            Assert.Equal(cut == 24 ? PcapStatus.End : PcapStatus.Truncated, reader.Status);
        }
    }

    [Fact]
    public void TryReadUdp_HugeRecordLength_ReturnsBadRecordLength()
    {
        var f = File(false, false, PcapReader.LinkTypeRaw, s_ipv4Udp, 1, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(32), 0x7FFF_FFFF);
        using var s = new MemoryStream(f);
        var reader = new PcapReader(s);
        Assert.False(reader.TryReadUdp(out _));
        Assert.Equal(PcapStatus.BadRecordLength, reader.Status);
    }

    [Fact]
    public void TryReadUdp_NonUdpAndFragments_AreSkippedAndCounted()
    {
        var tcp = (byte[])s_ipv4Udp.Clone();
        tcp[9] = 6;
        var fragment = (byte[])s_ipv4Udp.Clone();
        fragment[6] = 0x20; // MF
        using var ms = new MemoryStream();
        ms.Write(File(false, false, PcapReader.LinkTypeRaw, tcp, 1, 0));
        ms.Write(File(false, false, PcapReader.LinkTypeRaw, fragment, 1, 0).AsSpan(24));
        ms.Write(File(false, false, PcapReader.LinkTypeRaw, s_ipv4Udp, 2, 0).AsSpan(24));
        ms.Position = 0;
        var reader = new PcapReader(ms);
        Assert.True(reader.TryReadUdp(out var d));
        Assert.Equal(2_000_000L, d.TimestampUnixMicros);
        Assert.Equal(2, reader.SkippedPackets);
        Assert.Equal(3, reader.Packets);
    }

    [Fact]
    public void FlowFileDecoder_OwnCaptureOfEveryFormat_DecodesAllRecordsAndCountsStatuses()
    {
        using var ms = new MemoryStream();
        var w = new PcapWriter(ms);
        var v6Exporter = NetAddress.Parse("2001:db8::99");
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 2055, 1_000_000, NetFlowV5Writer.Write(TestData.Flows(10), 1, 1_700_000_000, 1));
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 2055, 2_000_000, IpfixWriter.Flows(TestData.Flows(4), 1, 1, 1, withTemplate: false));
        w.WriteUdp(v6Exporter, 5000, v6Exporter, 4739, 3_000_000, TestData.IpfixDatagram(30, v6: true));
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 2055, 4_000_000, TestData.V9Datagram(20));
        var frame = PacketBuilder.Ethernet(new PacketSpec { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2"), Protocol = 17 });
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 6343, 5_000_000, new SFlowWriter(TestData.Exporter, 0, 1, 1).FlowSample(1000, frame, 64).ToArray());
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 53, 6_000_000, [1, 2, 3, 4, 5]);
        ms.Position = 0;

        var decoder = new FlowFileDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(PcapStatus.End, decoder.Decode(ms, ref sink));

        Assert.Equal(10 + 30 + 20 + 1, sink.Records.Count);
        Assert.Equal(6, decoder.Counters.Datagrams);
        Assert.Equal(4, decoder.Counters[DecodeStatus.Ok]);
        Assert.Equal(1, decoder.Counters[DecodeStatus.NeedTemplate]);
        Assert.Equal(1, decoder.Counters[DecodeStatus.BadVersion]);
        Assert.Equal(v6Exporter, sink.Records[10].Exporter);
        Assert.Equal(5_000L, sink.Records[^1].StartUnixMs);
        Assert.Equal(64_000ul, sink.Records[^1].Bytes);
    }

    [Fact]
    public void FlowFileDecoder_PortFilter_SkipsOtherPorts()
    {
        using var ms = new MemoryStream();
        var w = new PcapWriter(ms);
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 2055, 1, TestData.V9Datagram(2));
        w.WriteUdp(TestData.Exporter, 5000, TestData.Exporter, 53, 2, [1, 2, 3, 4, 5]);
        ms.Position = 0;
        var decoder = new FlowFileDecoder();
        decoder.Ports.Add(2055);
        var sink = new CountingFlowSink();
        decoder.Decode(ms, ref sink);
        Assert.Equal(1, decoder.Counters.Datagrams);
        Assert.Equal(1, decoder.Counters.SkippedPackets);
        Assert.Equal(2, sink.Records);
    }
}
