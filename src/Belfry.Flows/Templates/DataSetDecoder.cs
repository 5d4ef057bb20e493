using Belfry.Core.Net;
using Belfry.Flows.Internal;

namespace Belfry.Flows.Templates;

/// <summary>Header context that data records need to resolve relative times.</summary>
internal readonly record struct ExportContext(FlowSource Source, NetAddress Exporter, uint Domain, uint UnixSeconds, uint SysUptimeMs);

/// <summary>Decodes a data set (v9 FlowSet id ≥ 256, IPFIX Set id ≥ 256) shared by both formats.</summary>
internal static class DataSetDecoder
{
    public static DecodeStatus Decode<TSink>(TemplateSession session, FlowTemplate template, ReadOnlySpan<byte> set, in ExportContext ctx, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var status = DecodeStatus.Ok;
        var pos = 0;
        while (true)
        {
            var f = default(FlowFields);
            if (!RecordDecoder.TryRead(template, set, ref pos, ref f, out var overrun))
            {
                return overrun ? DecodeStatuses.Merge(status, DecodeStatus.BadLength) : status;
            }
            if (template.IsOptions)
            {
                status = DecodeStatuses.Merge(status, ApplyOptions(session, in f));
                continue;
            }
            uint rate;
            if (f.HasSamplingInfo)
            {
                rate = f.SamplingRateFromFields();
                if (rate == 0)
                {
                    status = DecodeStatuses.Merge(status, DecodeStatus.BadSampling);
                    rate = session.RateFor(f.HasSamplerId, f.SamplerId);
                }
            }
            else
            {
                rate = session.RateFor(f.HasSamplerId, f.SamplerId);
            }
            if (f.UptimeSet && f.StartMs == 0 && f.EndMs == 0)
            {
                ResolveUptime(ref f, session, in ctx);
            }
            if (!f.IcmpSet && f.Protocol is 1 or 58)
            {
                // Exporters without ICMP elements put type << 8 | code in the destination port.
                f.IcmpType = (byte)(f.DstPort >> 8);
                f.IcmpCode = (byte)f.DstPort;
            }
            sink.OnFlow(f.ToRecord(ctx.Source, ctx.Exporter, ctx.Domain, rate));
        }
    }

    static DecodeStatus ApplyOptions(TemplateSession session, in FlowFields f)
    {
        if (f.SystemInitMs != 0)
        {
            session.SystemInitMs = f.SystemInitMs;
        }
        if (!f.HasSamplingInfo)
        {
            return DecodeStatus.Ok;
        }
        var rate = f.SamplingRateFromFields();
        if (rate == 0)
        {
            return DecodeStatus.BadSampling;
        }
        if (f.HasSamplerId)
        {
            session.SetSampler(f.SamplerId, rate);
        }
        else
        {
            session.DefaultSamplingRate = rate;
        }
        return DecodeStatus.Ok;
    }

    static void ResolveUptime(ref FlowFields f, TemplateSession session, in ExportContext ctx)
    {
        var exportMs = ctx.UnixSeconds * 1000L;
        if (ctx.Source == FlowSource.NetFlowV9)
        {
            // RFC 3954 §8 FIRST/LAST_SWITCHED: sysUptime (ms) at the flow's first/last packet; unsigned wrap.
            f.StartMs = exportMs - (uint)(ctx.SysUptimeMs - f.FirstUptime);
            f.EndMs = exportMs - (uint)(ctx.SysUptimeMs - f.LastUptime);
            return;
        }
        if (session.SystemInitMs != 0)
        {
            // RFC 7011 / IANA IE 21, 22: relative to systemInitTimeMilliseconds (IE 160).
            f.StartMs = session.SystemInitMs + f.FirstUptime;
            f.EndMs = session.SystemInitMs + f.LastUptime;
            return;
        }
        // No boot time known: anchor the flow's end at the export time and keep its duration.
        f.EndMs = exportMs;
        f.StartMs = exportMs - (uint)(f.LastUptime - f.FirstUptime);
    }
}
