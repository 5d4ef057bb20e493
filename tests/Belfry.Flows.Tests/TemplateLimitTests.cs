using Belfry.Core.Net;
using Belfry.Flows.Generation;
using Belfry.Flows.Templates;

namespace Belfry.Flows.Tests;

/// <summary>Template caches are bounded per exporter, and reaching a bound costs only that exporter.</summary>
public class TemplateLimitTests
{
    static readonly NetAddress Victim = NetAddress.Parse("192.0.2.1");
    static readonly NetAddress Flooder = NetAddress.Parse("192.0.2.66");

    static byte[] Template(uint domain, ushort id) =>
        new IpfixWriter(1_700_000_000, 0, domain).Template(id, TemplateMessageWriter.StandardIPv4Fields).ToArray();

    static byte[] Data(uint domain, ushort id) => IpfixWriter.Flows(TestData.Flows(2), 1_700_000_001, 0, domain, id, withTemplate: false);

    [Fact]
    public void Decode_OneExporterFloodsObservationDomains_OtherExportersKeepTheirTemplates()
    {
        var decoder = new IpfixDecoder();
        var sink = new CountingFlowSink();
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(TestData.IpfixDatagram(2), Victim, ref sink));

        // More domains than the old global session cap (4096), all from one address.
        for (uint d = 0; d < 5_000; d++)
        {
            decoder.Decode(Template(1_000 + d, 256), Flooder, ref sink);
        }

        sink = new CountingFlowSink();
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(7, 256), Victim, ref sink));
        Assert.Equal(2, sink.Records);
        Assert.Equal(FlowLimits.MaxSessionsPerExporter + 1, decoder.Templates.SessionCount);
        Assert.Equal(5_000 - FlowLimits.MaxSessionsPerExporter, decoder.Templates.Evictions);
        // The flooder's newest domain is the one it keeps, its oldest is gone.
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1_000 + 4_999, 256), Flooder, ref sink));
        Assert.Equal(DecodeStatus.NeedTemplate, decoder.Decode(Data(1_000, 256), Flooder, ref sink));
    }

    [Fact]
    public void Decode_OneExporterFloodsTemplateIdsOverDomains_CappedPerExporterAndOthersUntouched()
    {
        var limits = new FlowTemplateLimits { MaxTemplatesPerExporter = 100, MaxSessionsPerExporter = 8 };
        var decoder = new IpfixDecoder(new FlowTemplateCache(limits));
        var sink = new CountingFlowSink();
        decoder.Decode(TestData.IpfixDatagram(2), Victim, ref sink);
        var tooMany = 0;
        for (var i = 0; i < 2_000; i++)
        {
            if (decoder.Decode(Template((uint)(i % 8), (ushort)(256 + i)), Flooder, ref sink) == DecodeStatus.TooManyTemplates)
            {
                tooMany++;
            }
        }

        Assert.Equal(100, decoder.Templates.TemplateCountOf(Flooder));
        Assert.Equal(1, decoder.Templates.TemplateCountOf(Victim));
        Assert.Equal(1_900, tooMany);
        Assert.Equal(1_900, decoder.Templates.TemplateEvictions);
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(7, 256), Victim, ref sink));
        // Eviction, not refusal: the flooder's latest template works, its first is gone.
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1_999 % 8, 256 + 1_999), Flooder, ref sink));
        Assert.Equal(DecodeStatus.NeedTemplate, decoder.Decode(Data(0, 256), Flooder, ref sink));
    }

    [Fact]
    public void Decode_SessionFullOfTemplates_LeastRecentlyUsedEvictedNotTheOneInUse()
    {
        var decoder = new IpfixDecoder(new FlowTemplateCache(new FlowTemplateLimits { MaxTemplatesPerSession = 4 }));
        var sink = new CountingFlowSink();
        for (ushort id = 256; id < 260; id++)
        {
            Assert.Equal(DecodeStatus.Ok, decoder.Decode(Template(1, id), Victim, ref sink));
        }
        // 256 carries data (a use); 257 is now the least recently used.
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1, 256), Victim, ref sink));

        Assert.Equal(DecodeStatus.TooManyTemplates, decoder.Decode(Template(1, 260), Victim, ref sink));

        Assert.Equal(4, decoder.Templates.TemplateCount);
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1, 256), Victim, ref sink));
        Assert.Equal(DecodeStatus.NeedTemplate, decoder.Decode(Data(1, 257), Victim, ref sink));
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1, 258), Victim, ref sink));
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(1, 260), Victim, ref sink));
    }

    [Fact]
    public void Decode_WithdrawalsAndEvictedSessions_KeepThePerExporterCountExact()
    {
        var limits = new FlowTemplateLimits { MaxSessionsPerExporter = 2, MaxTemplatesPerExporter = 3 };
        var decoder = new IpfixDecoder(new FlowTemplateCache(limits));
        var sink = new CountingFlowSink();
        decoder.Decode(Template(1, 256), Victim, ref sink);
        decoder.Decode(Template(1, 257), Victim, ref sink);
        decoder.Decode(Template(2, 256), Victim, ref sink);
        Assert.Equal(3, decoder.Templates.TemplateCountOf(Victim));
        decoder.Decode(new IpfixWriter(1, 0, 1).Withdraw(257).ToArray(), Victim, ref sink);
        Assert.Equal(2, decoder.Templates.TemplateCountOf(Victim));

        // Domain 2 carries data after the withdrawal in domain 1: a third domain evicts domain 1 with its template.
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(2, 256), Victim, ref sink));
        decoder.Decode(Template(3, 256), Victim, ref sink);

        Assert.Equal(2, decoder.Templates.TemplateCountOf(Victim));
        Assert.Equal(2, decoder.Templates.SessionCount);
        Assert.Equal(DecodeStatus.NeedTemplate, decoder.Decode(Data(1, 256), Victim, ref sink));
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(2, 256), Victim, ref sink));
        Assert.Equal(DecodeStatus.Ok, decoder.Decode(Data(3, 256), Victim, ref sink));
    }

    [Fact]
    public void Constructor_BadLimits_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlowTemplateCache(new FlowTemplateLimits { MaxExporters = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlowTemplateCache(new FlowTemplateLimits { MaxTemplatesPerSession = FlowLimits.MaxTemplatesPerSession + 1 }));
    }
}
