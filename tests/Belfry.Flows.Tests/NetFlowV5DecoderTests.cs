using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

public class NetFlowV5DecoderTests
{
    // Hand-built: header (version 5, count 1, sysUptime 10000 ms, unix_secs 1700000000, nsecs 0, seq 1,
    // engine 1/2, sampling 0x4064 = mode 1, interval 100) and one record 10.0.0.1:1234 -> 10.0.0.2:80 TCP,
    // 3 packets, 180 bytes, first 4000, last 9000, flags 0x02, ToS 0x10, AS 65001 -> 65002, if 7 -> 9.
    static readonly byte[] s_oneRecord =
    [
        0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x27, 0x10, 0x65, 0x53, 0xF1, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x40, 0x64,
        0x0A, 0x00, 0x00, 0x01, 0x0A, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x09,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0xB4, 0x00, 0x00, 0x0F, 0xA0, 0x00, 0x00, 0x23, 0x28,
        0x04, 0xD2, 0x00, 0x50, 0x00, 0x02, 0x06, 0x10, 0xFD, 0xE9, 0xFD, 0xEA, 0x18, 0x18, 0x00, 0x00,
    ];

    [Fact]
    public void Decode_HandBuiltRecord_ReturnsHandDecodedFields()
    {
        var sink = new CollectingFlowSink();
        var status = NetFlowV5Decoder.Decode(s_oneRecord, TestData.Exporter, ref sink);

        Assert.Equal(DecodeStatus.Ok, status);
        var r = Assert.Single(sink.Records);
        Assert.Equal(NetAddress.Parse("10.0.0.1"), r.SrcAddress);
        Assert.Equal(NetAddress.Parse("10.0.0.2"), r.DstAddress);
        Assert.Equal((ushort)1234, r.SrcPort);
        Assert.Equal((ushort)80, r.DstPort);
        Assert.Equal((byte)6, r.Protocol);
        Assert.Equal((ushort)2, r.TcpFlags);
        Assert.Equal((byte)0x10, r.Tos);
        Assert.Equal(100u, r.SamplingRate);
        Assert.Equal(3ul, r.RawPackets);
        Assert.Equal(300ul, r.Packets);
        Assert.Equal(18000ul, r.Bytes);
        Assert.Equal(7u, r.InputInterface);
        Assert.Equal(9u, r.OutputInterface);
        Assert.Equal(65001u, r.SrcAs);
        Assert.Equal(65002u, r.DstAs);
        Assert.Equal(0x0102u, r.ObservationDomain);
        Assert.Equal((1_700_000_000L * 1000) - 6000, r.StartUnixMs);
        Assert.Equal((1_700_000_000L * 1000) - 1000, r.EndUnixMs);
    }

    [Fact]
    public void Decode_WriterRoundTrip_RecordsEqualInput()
    {
        var input = TestData.Flows(30);
        var dgram = NetFlowV5Writer.Write(input, 5_000_000, 1_700_000_100, 9);
        var sink = new CollectingFlowSink();

        Assert.Equal(DecodeStatus.Ok, NetFlowV5Decoder.Decode(dgram, TestData.Exporter, ref sink));
        Assert.Equal(30, sink.Records.Count);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(input[i].SrcAddress, sink.Records[i].SrcAddress);
            Assert.Equal(input[i].RawBytes, sink.Records[i].Bytes);
            Assert.Equal(input[i].StartUnixMs, sink.Records[i].StartUnixMs);
            Assert.Equal(1u, sink.Records[i].SamplingRate);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Decode_BadCount_ReturnsBadCount(int count)
    {
        var d = (byte[])s_oneRecord.Clone();
        d[3] = (byte)count;
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadCount, NetFlowV5Decoder.Decode(d, TestData.Exporter, ref sink));
        Assert.Empty(sink.Records);
    }

    [Fact]
    public void Decode_CountBeyondData_ReturnsTruncated()
    {
        var d = (byte[])s_oneRecord.Clone();
        d[3] = 2;
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Truncated, NetFlowV5Decoder.Decode(d, TestData.Exporter, ref sink));
    }
}
