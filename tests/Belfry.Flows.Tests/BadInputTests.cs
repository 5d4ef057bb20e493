using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

/// <summary>Hostile input: statuses, never exceptions, bounded state.</summary>
public class BadInputTests
{
    [Fact]
    public void Decode_CorpusIsValid_AllOk()
    {
        var (records, statuses) = Corpus.DecodeAll(Corpus.All);
        Assert.All(statuses, s => Assert.Equal(DecodeStatus.Ok, s));
        Assert.True(records.Count > 100);
    }

    [Fact]
    public void Decode_TruncatedAtEveryOffset_NoExceptionAndNotOkForShortHeaders()
    {
        foreach (var full in Corpus.All)
        {
            for (var cut = 0; cut < full.Length; cut++)
            {
                // A decoder primed with every template, so truncated data sets are really parsed.
                var decoder = new FlowDecoder();
                Corpus.DecodeAll(Corpus.All, decoder);
                var sink = new CountingFlowSink();
                var status = decoder.Decode(full.AsSpan(0, cut), TestData.Exporter, 0, ref sink);
                if (cut < 16)
                {
                    Assert.NotEqual(DecodeStatus.Ok, status);
                }
            }
        }
    }

    [Fact]
    public void Decode_TruncatedIpfixAndV5_ReportTruncated()
    {
        var ipfix = TestData.IpfixDatagram(3);
        var v5 = NetFlowV5Writer.Write(TestData.Flows(2), 1, 1, 1);
        for (var cut = 4; cut < ipfix.Length; cut++)
        {
            var sink = new CountingFlowSink();
            Assert.Equal(DecodeStatus.Truncated, new FlowDecoder().Decode(ipfix.AsSpan(0, cut), TestData.Exporter, 0, ref sink));
        }
        for (var cut = 4; cut < v5.Length; cut++)
        {
            var sink = new CountingFlowSink();
            Assert.Equal(DecodeStatus.Truncated, new FlowDecoder().Decode(v5.AsSpan(0, cut), TestData.Exporter, 0, ref sink));
        }
    }

    [Fact]
    public void Decode_SeededMutationFuzz_NoExceptionAndBoundedState()
    {
        const int Seed = 23768213;
        var rng = new Random(Seed);
        var decoder = new FlowDecoder();
        var corpus = Corpus.All;
        var sink = new CountingFlowSink();
        for (var i = 0; i < 200_000; i++)
        {
            var d = (byte[])corpus[rng.Next(corpus.Length)].Clone();
            var mutations = rng.Next(1, 6);
            for (var m = 0; m < mutations; m++)
            {
                switch (rng.Next(4))
                {
                    case 0:
                        d[rng.Next(d.Length)] = (byte)rng.Next(256);
                        break;
                    case 1:
                        d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 2:
                        var at = rng.Next(d.Length);
                        d[at] = rng.Next(2) == 0 ? (byte)0 : (byte)0xFF;
                        break;
                    default:
                        d = d[..rng.Next(d.Length + 1)];
                        break;
                }
                if (d.Length == 0)
                {
                    break;
                }
            }
            var exporter = NetAddress.FromV4((uint)rng.Next(64));
            try
            {
                decoder.Decode(d, exporter, 0, ref sink);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {Seed} iteration {i}: {e.GetType().Name} {e.Message} on {Convert.ToHexString(d)}");
            }
        }
        Assert.True(decoder.Ipfix.Templates.TemplateCount <= FlowLimits.MaxExporters * FlowLimits.MaxTemplatesPerExporter);
    }

    [Fact]
    public void Decode_RandomBytes_NoException()
    {
        var rng = new Random(4711);
        var decoder = new FlowDecoder();
        var sink = new CountingFlowSink();
        var buffer = new byte[1500];
        for (var i = 0; i < 100_000; i++)
        {
            var d = buffer.AsSpan(0, rng.Next(buffer.Length));
            rng.NextBytes(d);
            // Give the version field a real value half the time so the decoders get past it.
            if (d.Length >= 4 && rng.Next(2) == 0)
            {
                d[0] = 0;
                d[1] = (byte)(rng.Next(4) switch { 0 => 5, 1 => 9, 2 => 10, _ => 0 });
                if (d[1] == 0)
                {
                    d[2] = 0;
                    d[3] = 5;
                }
            }
            decoder.Decode(d, TestData.Exporter, 0, ref sink);
        }
    }

    [Fact]
    public void Decode_FloodOfRandomTemplateIds_TemplatesStayUnderCap()
    {
        var decoder = new IpfixDecoder();
        var sink = new CountingFlowSink();
        var rng = new Random(99);
        var tooMany = 0;
        for (var i = 0; i < 5000; i++)
        {
            var m = new IpfixWriter(1, (uint)i, 7).Template((ushort)rng.Next(256, 65536), new FieldSpec(8, 4), new FieldSpec(1, 4)).ToArray();
            if (decoder.Decode(m, TestData.Exporter, ref sink) == DecodeStatus.TooManyTemplates)
            {
                tooMany++;
            }
        }
        Assert.Equal(FlowLimits.MaxTemplatesPerSession, decoder.Templates.TemplateCount);
        Assert.True(tooMany > 4000);
    }

    [Fact]
    public void Decode_FloodOfSpoofedExporters_NewExportersRefusedAndNoKnownOneEvicted()
    {
        var decoder = new NetFlowV9Decoder(new Templates.FlowTemplateCache(new Templates.FlowTemplateLimits { MaxExporters = 100 }));
        var sink = new CountingFlowSink();
        var m = TestData.V9Datagram(1);
        var refused = 0;
        for (uint i = 0; i < 1000; i++)
        {
            if (decoder.Decode(m, NetAddress.FromV4(0x0B000000 + i), ref sink) == DecodeStatus.TooManyExporters)
            {
                refused++;
            }
        }
        Assert.Equal(100, decoder.Templates.ExporterCount);
        Assert.Equal(100, decoder.Templates.SessionCount);
        Assert.Equal(900, refused);
        Assert.Equal(900, decoder.Templates.RefusedExporters);
        Assert.Equal(0, decoder.Templates.Evictions);
        // The first exporters keep their templates; the late ones never got any.
        var dataOnly = NetFlowV9Writer.Flows(TestData.Flows(1), 1, 1, 1, 7, withTemplate: false);
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(dataOnly, NetAddress.FromV4(0x0B000000), ref sink));
        Assert.Equal(DecodeStatus.NeedTemplate, decoder.Decode(dataOnly, NetAddress.FromV4(0x0B000000 + 999), ref sink));
    }

    [Fact]
    public void Decode_DefaultCacheFloodOfExporters_NeverExceedsMaxExporters()
    {
        var decoder = new IpfixDecoder();
        var sink = new CountingFlowSink();
        var m = TestData.IpfixDatagram(1);
        for (uint i = 0; i < FlowLimits.MaxExporters + 500; i++)
        {
            decoder.Decode(m, NetAddress.FromV4(i), ref sink);
        }
        Assert.Equal(FlowLimits.MaxExporters, decoder.Templates.ExporterCount);
        Assert.Equal(FlowLimits.MaxExporters, decoder.Templates.SessionCount);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x07, 0x00, 0x01 })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x06, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    public void Decode_UnknownVersion_ReturnsBadVersion(byte[] d)
    {
        var sink = new CountingFlowSink();
        Assert.Equal(DecodeStatus.BadVersion, new FlowDecoder().Decode(d, TestData.Exporter, 0, ref sink));
    }

    [Fact]
    public void Decode_EmptyAndTiny_ReturnsTruncated()
    {
        var sink = new CountingFlowSink();
        Assert.Equal(DecodeStatus.Truncated, new FlowDecoder().Decode([], TestData.Exporter, 0, ref sink));
        Assert.Equal(DecodeStatus.Truncated, new FlowDecoder().Decode([0, 10], TestData.Exporter, 0, ref sink));
    }

    [Fact]
    public void Decode_IpfixOptionsTemplateScopeCountZero_ReturnsBadTemplate()
    {
        var sink = new CountingFlowSink();
        var m = new IpfixWriter(1, 1, 7).OptionsTemplate(300, 0, new FieldSpec(34, 4)).ToArray();
        Assert.Equal(DecodeStatus.BadTemplate, new IpfixDecoder().Decode(m, TestData.Exporter, ref sink));
    }

    [Fact]
    public void Decode_IpfixSetLengthBelowHeader_ReturnsBadLength()
    {
        var m = TestData.IpfixDatagram(1);
        m[18] = 0;
        m[19] = 2;
        var sink = new CountingFlowSink();
        Assert.Equal(DecodeStatus.BadLength, new IpfixDecoder().Decode(m, TestData.Exporter, ref sink));
    }
}
