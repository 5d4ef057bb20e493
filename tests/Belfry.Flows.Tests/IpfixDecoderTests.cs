using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

public class IpfixDecoderTests
{
    // Hand-built IPFIX message (RFC 7011): header, template 256 = {sourceIPv4Address 8/4, enterprise
    // element 1 of PEN 9 with variable length, octetDeltaCount 1/4 (reduced size), applicationName 96
    // variable}, then a data set with one record: 192.0.2.10, enterprise value "ab" (2 bytes), 1000
    // octets, a 300-byte name using the three-byte length form.
    static byte[] HandBuilt()
    {
        var b = new List<byte>
        {
            0x00, 0x0A, 0x00, 0x00, 0x65, 0x53, 0xF1, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05,
            // template set: id 2, length 4 + 4 + 4*4 + 4 (PEN) = 28
            0x00, 0x02, 0x00, 0x1C, 0x01, 0x00, 0x00, 0x04,
            0x00, 0x08, 0x00, 0x04,
            0x80, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x09,
            0x00, 0x01, 0x00, 0x04,
            0x00, 0x60, 0xFF, 0xFF,
        };
        var data = new List<byte> { 0xC0, 0x00, 0x02, 0x0A, 0x02, (byte)'a', (byte)'b', 0x00, 0x00, 0x03, 0xE8, 0xFF, 0x01, 0x2C };
        data.AddRange(new byte[300]);
        b.AddRange([0x01, 0x00, (byte)((data.Count + 4) >> 8), (byte)(data.Count + 4)]);
        b.AddRange(data);
        b[2] = (byte)(b.Count >> 8);
        b[3] = (byte)b.Count;
        return [.. b];
    }

    [Fact]
    public void Decode_VariableLengthAndEnterpriseFields_ReadsRecordAfterThem()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, d.Decode(HandBuilt(), TestData.Exporter, ref sink));
        var r = Assert.Single(sink.Records);
        Assert.Equal(NetAddress.Parse("192.0.2.10"), r.SrcAddress);
        Assert.Equal(1000ul, r.Bytes);
        Assert.Equal(5u, r.ObservationDomain);
    }

    [Fact]
    public void Decode_VariableFieldOverrunsSet_ReturnsBadLength()
    {
        var m = HandBuilt();
        // The enterprise field's length byte (offset 16 + 28 + 4 + 4) becomes 255: the next two bytes
        // ("ab" = 0x6162 = 24930) are then the length, far beyond the set.
        m[52] = 255;
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadLength, d.Decode(m, TestData.Exporter, ref sink));
        Assert.Empty(sink.Records);
    }

    [Fact]
    public void Decode_WriterRoundTrip_EqualsInputRecords()
    {
        foreach (var v6 in new[] { false, true })
        {
            var input = TestData.Flows(30, v6);
            var d = new IpfixDecoder();
            var sink = new CollectingFlowSink();
            Assert.Equal(DecodeStatus.Ok, d.Decode(IpfixWriter.Flows(input, 1_700_000_100, 1, 7), TestData.Exporter, ref sink));
            Assert.Equal(30, sink.Records.Count);
            for (var i = 0; i < 30; i++)
            {
                var expected = input[i] with
                {
                    Source = FlowSource.Ipfix,
                    Exporter = TestData.Exporter,
                    ObservationDomain = 7,
                    Packets = input[i].RawPackets,
                    Bytes = input[i].RawBytes,
                    SamplingRate = 1,
                };
                Assert.Equal(expected, sink.Records[i]);
            }
        }
    }

    [Fact]
    public void Decode_DataBeforeTemplate_ReturnsNeedTemplate()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var dataOnly = IpfixWriter.Flows(TestData.Flows(3), 1, 1, 7, withTemplate: false);
        Assert.Equal(DecodeStatus.NeedTemplate, d.Decode(dataOnly, TestData.Exporter, ref sink));
        Assert.Empty(sink.Records);
        d.Decode(TestData.IpfixDatagram(1), TestData.Exporter, ref sink);
        Assert.Equal(DecodeStatus.Ok, d.Decode(dataOnly, TestData.Exporter, ref sink));
        Assert.Equal(4, sink.Records.Count);
    }

    [Fact]
    public void Decode_TemplatesAreKeyedByExporterAndDomain_OtherDomainNeedsTemplate()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        d.Decode(TestData.IpfixDatagram(1), TestData.Exporter, ref sink);
        var otherDomain = IpfixWriter.Flows(TestData.Flows(1), 1, 1, 8, withTemplate: false);
        Assert.Equal(DecodeStatus.NeedTemplate, d.Decode(otherDomain, TestData.Exporter, ref sink));
        var otherExporter = IpfixWriter.Flows(TestData.Flows(1), 1, 1, 7, withTemplate: false);
        Assert.Equal(DecodeStatus.NeedTemplate, d.Decode(otherExporter, NetAddress.Parse("192.0.2.2"), ref sink));
    }

    [Fact]
    public void Decode_TemplateWithdrawn_LaterDataNeedsTemplate()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        d.Decode(TestData.IpfixDatagram(1), TestData.Exporter, ref sink);
        var dataOnly = IpfixWriter.Flows(TestData.Flows(1), 1, 1, 7, withTemplate: false);

        Assert.Equal(DecodeStatus.Ok, d.Decode(new IpfixWriter(1, 2, 7).Withdraw(256).ToArray(), TestData.Exporter, ref sink));
        Assert.Equal(DecodeStatus.NeedTemplate, d.Decode(dataOnly, TestData.Exporter, ref sink));

        d.Decode(TestData.IpfixDatagram(1), TestData.Exporter, ref sink);
        Assert.Equal(1, d.Templates.TemplateCount);
        // Template id 2 with field count 0 withdraws every data template of the domain (RFC 7011 §8.1).
        d.Decode(new IpfixWriter(1, 3, 7).Withdraw(2).ToArray(), TestData.Exporter, ref sink);
        Assert.Equal(0, d.Templates.TemplateCount);
    }

    [Fact]
    public void Decode_OptionsSamplingPacketIntervalAndSpace_ScalesRecords()
    {
        // RFC 5477: 1 packet selected, 99 skipped -> 1 in 100.
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var w = new IpfixWriter(1, 1, 7).OptionsTemplate(300, 1, new FieldSpec(302, 4), new FieldSpec(305, 4), new FieldSpec(306, 4));
        w.BeginData(300);
        w.Buffer.U32(9).U32(1).U32(99);
        w.Record();
        Assert.Equal(DecodeStatus.Ok, d.Decode(w.ToArray(), TestData.Exporter, ref sink));
        d.Decode(TestData.IpfixDatagram(2), TestData.Exporter, ref sink);
        Assert.All(sink.Records, r => Assert.Equal(100u, r.SamplingRate));
        Assert.Equal(100ul * 100, sink.Records[0].Bytes);
    }

    [Fact]
    public void Decode_RecordWithSamplingIntervalField_UsesIt()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var w = new IpfixWriter(1, 1, 7).Template(400, new FieldSpec(8, 4), new FieldSpec(1, 4), new FieldSpec(2, 2), new FieldSpec(34, 4));
        w.BeginData(400);
        w.Buffer.U32(0x0A000001).U32(1500).U16(1).U32(1000);
        w.Record();
        Assert.Equal(DecodeStatus.Ok, d.Decode(w.ToArray(), TestData.Exporter, ref sink));
        var r = Assert.Single(sink.Records);
        Assert.Equal(1000u, r.SamplingRate);
        Assert.Equal(1_500_000ul, r.Bytes);
        Assert.Equal(1000ul, r.Packets);
    }

    [Fact]
    public void Decode_SamplingIntervalZeroInOptions_ReturnsBadSamplingAndKeepsRateOne()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var w = new IpfixWriter(1, 1, 7).OptionsTemplate(300, 1, new FieldSpec(149, 4), new FieldSpec(34, 4));
        w.BeginData(300);
        w.Buffer.U32(7).U32(0);
        w.Record();
        Assert.Equal(DecodeStatus.BadSampling, d.Decode(w.ToArray(), TestData.Exporter, ref sink));
        d.Decode(TestData.IpfixDatagram(1), TestData.Exporter, ref sink);
        Assert.Equal(1u, Assert.Single(sink.Records).SamplingRate);
    }

    [Fact]
    public void Decode_SetPaddingAfterRecords_IsIgnored()
    {
        var w = new IpfixWriter(1, 1, 7).Template(256, TemplateMessageWriter.StandardIPv4Fields);
        w.BeginData(256);
        w.StandardRecord(TestData.Flow(0));
        w.EndSet(align: 16);
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, d.Decode(w.ToArray(), TestData.Exporter, ref sink));
        Assert.Single(sink.Records);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9000)]
    public void Decode_AbsurdFieldLength_ReturnsBadTemplate(int length)
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var m = new IpfixWriter(1, 1, 7).Template(256, new FieldSpec(8, 4), new FieldSpec(1, (ushort)length)).ToArray();
        Assert.Equal(DecodeStatus.BadTemplate, d.Decode(m, TestData.Exporter, ref sink));
        Assert.Equal(0, d.Templates.TemplateCount);
    }

    [Fact]
    public void Decode_TooManyFields_ReturnsBadTemplate()
    {
        var fields = Enumerable.Repeat(new FieldSpec(210, 1), FlowLimits.MaxFieldsPerTemplate + 1).ToArray();
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadTemplate, d.Decode(new IpfixWriter(1, 1, 7).Template(256, fields).ToArray(), TestData.Exporter, ref sink));
    }

    [Fact]
    public void Decode_MessageLengthBeyondDatagram_ReturnsTruncated()
    {
        var m = TestData.IpfixDatagram(2);
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Truncated, d.Decode(m.AsSpan(0, m.Length - 1), TestData.Exporter, ref sink));
    }

    [Fact]
    public void Decode_FlowStartSecondsAndReducedSizeCounters_Decoded()
    {
        var d = new IpfixDecoder();
        var sink = new CollectingFlowSink();
        var w = new IpfixWriter(1, 1, 7).Template(500, new FieldSpec(8, 4), new FieldSpec(1, 2), new FieldSpec(2, 1), new FieldSpec(150, 4), new FieldSpec(151, 4), new FieldSpec(4, 1), new FieldSpec(88, 2));
        w.BeginData(500);
        w.Buffer.U32(0x0A000001).U16(0x0102).U8(3).U32(1_700_000_000).U32(1_700_000_005).U8(17).U16(185);
        w.Record();
        d.Decode(w.ToArray(), TestData.Exporter, ref sink);
        var r = Assert.Single(sink.Records);
        Assert.Equal(0x0102ul, r.Bytes);
        Assert.Equal(3ul, r.Packets);
        Assert.Equal(1_700_000_000_000L, r.StartUnixMs);
        Assert.Equal(1_700_000_005_000L, r.EndUnixMs);
        Assert.True(r.IsFragment);
    }
}
