using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

public class NetFlowV9DecoderTests
{
    [Fact]
    public void Decode_WriterRoundTrip_EqualsInputRecords()
    {
        var input = TestData.Flows(30, v6: true);
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.Ok, d.Decode(NetFlowV9Writer.Flows(input, 1000, 1_700_000_100, 1, 3), TestData.Exporter, ref sink));
        Assert.Equal(30, sink.Records.Count);
        Assert.Equal(input[5].SrcAddress, sink.Records[5].SrcAddress);
        Assert.Equal(input[5].StartUnixMs, sink.Records[5].StartUnixMs);
        Assert.Equal(3u, sink.Records[5].ObservationDomain);
    }

    [Fact]
    public void Decode_OptionsSamplerThenFlowsWithSamplerId_UsesSamplerRate()
    {
        // Cisco-style: options template scope System (1), fields FLOW_SAMPLER_ID 48, MODE 49, RANDOM_INTERVAL 50.
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        var o = new NetFlowV9Writer(1000, 1_700_000_000, 1, 0).OptionsTemplate(257, [new FieldSpec(1, 4)], [new FieldSpec(48, 1), new FieldSpec(49, 1), new FieldSpec(50, 4)]);
        o.BeginData(257);
        o.Buffer.U32(0).U8(3).U8(2).U32(512);
        o.Record();
        o.EndSet(4);
        Assert.Equal(DecodeStatus.Ok, d.Decode(o.ToArray(), TestData.Exporter, ref sink));

        var w = new NetFlowV9Writer(1000, 1_700_000_000, 2, 0).Template(300, new FieldSpec(8, 4), new FieldSpec(1, 4), new FieldSpec(2, 4), new FieldSpec(48, 1));
        w.BeginData(300);
        w.Buffer.U32(0x0A000001).U32(100).U32(2).U8(3);
        w.Record();
        w.Buffer.U32(0x0A000002).U32(100).U32(2).U8(4); // unknown sampler: falls back to the last announced one
        w.Record();
        Assert.Equal(DecodeStatus.Ok, d.Decode(w.ToArray(), TestData.Exporter, ref sink));
        Assert.Equal(512u, sink.Records[0].SamplingRate);
        Assert.Equal(51_200ul, sink.Records[0].Bytes);
        Assert.Equal(1024ul, sink.Records[0].Packets);
        Assert.Equal(512u, sink.Records[1].SamplingRate);
    }

    [Fact]
    public void Decode_OptionsSamplingIntervalField34_IsExporterDefault()
    {
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        var o = new NetFlowV9Writer(1000, 1_700_000_000, 1, 7).OptionsTemplate(257, [new FieldSpec(1, 4)], [new FieldSpec(34, 4), new FieldSpec(35, 1)]);
        o.BeginData(257);
        o.Buffer.U32(0).U32(64).U8(2);
        o.Record();
        d.Decode(o.ToArray(), TestData.Exporter, ref sink);
        d.Decode(TestData.V9Datagram(2), TestData.Exporter, ref sink);
        Assert.All(sink.Records, r => Assert.Equal(64u, r.SamplingRate));
    }

    [Fact]
    public void Decode_ScopeFieldTypeOne_IsNotReadAsOctets()
    {
        // In v9 options templates, scope type 1 means "System", not IN_BYTES: it must not set a sampling rate or counters.
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        var o = new NetFlowV9Writer(1000, 1_700_000_000, 1, 0).OptionsTemplate(257, [new FieldSpec(1, 4)], [new FieldSpec(34, 4)]);
        o.BeginData(257);
        o.Buffer.U32(12345).U32(10);
        o.Record();
        Assert.Equal(DecodeStatus.Ok, d.Decode(o.ToArray(), TestData.Exporter, ref sink));
        Assert.Empty(sink.Records);
    }

    [Fact]
    public void Decode_DataBeforeTemplate_ReturnsNeedTemplate()
    {
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        var dataOnly = NetFlowV9Writer.Flows(TestData.Flows(2), 1, 1, 1, 3, withTemplate: false);
        Assert.Equal(DecodeStatus.NeedTemplate, d.Decode(dataOnly, TestData.Exporter, ref sink));
        Assert.Equal(0, d.Templates.SessionCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65535)]
    public void Decode_ZeroOrVariableLengthField_ReturnsBadTemplate(int length)
    {
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        var m = new NetFlowV9Writer(1, 1, 1, 1).Template(300, new FieldSpec(8, 4), new FieldSpec(1, (ushort)length)).ToArray();
        Assert.Equal(DecodeStatus.BadTemplate, d.Decode(m, TestData.Exporter, ref sink));
    }

    [Fact]
    public void Decode_TemplateIdBelow256_ReturnsBadTemplate()
    {
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        Assert.Equal(DecodeStatus.BadTemplate, d.Decode(new NetFlowV9Writer(1, 1, 1, 1).Template(255, new FieldSpec(8, 4)).ToArray(), TestData.Exporter, ref sink));
    }

    [Fact]
    public void Decode_TemplateRefreshUnchanged_KeepsOneTemplate()
    {
        var d = new NetFlowV9Decoder();
        var sink = new CountingFlowSink();
        for (var i = 0; i < 5; i++)
        {
            d.Decode(TestData.V9Datagram(3), TestData.Exporter, ref sink);
        }
        Assert.Equal(1, d.Templates.TemplateCount);
        Assert.Equal(15, sink.Records);
    }

    [Fact]
    public void Decode_TemplateRedefined_NewLayoutUsed()
    {
        var d = new NetFlowV9Decoder();
        var sink = new CollectingFlowSink();
        d.Decode(TestData.V9Datagram(1), TestData.Exporter, ref sink);
        var w = new NetFlowV9Writer(1, 1, 2, 7).Template(256, new FieldSpec(12, 4), new FieldSpec(1, 4));
        w.BeginData(256);
        w.Buffer.U32(0xC6336401).U32(77);
        w.Record();
        d.Decode(w.ToArray(), TestData.Exporter, ref sink);
        Assert.Equal(NetAddress.Parse("198.51.100.1"), sink.Records[^1].DstAddress);
        Assert.Equal(77ul, sink.Records[^1].Bytes);
    }
}
