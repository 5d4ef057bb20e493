using Belfry.Core.Net;
using Belfry.Flows.Internal;
using Belfry.Flows.Templates;

namespace Belfry.Flows;

/// <summary>
/// NetFlow v9 (RFC 3954). Holds the template cache of the exporters it has seen; one instance per
/// receive loop (not thread-safe). Data arriving before its template is counted as
/// <see cref="DecodeStatus.NeedTemplate"/> and dropped.
/// </summary>
public sealed class NetFlowV9Decoder
{
    const int HeaderLength = 20;
    const ushort TemplateFlowSetId = 0;
    const ushort OptionsTemplateFlowSetId = 1;
    const ushort FirstDataFlowSetId = 256;

    public NetFlowV9Decoder()
        : this(new FlowTemplateCache())
    {
    }

    public NetFlowV9Decoder(FlowTemplateCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Templates = cache;
    }

    public FlowTemplateCache Templates { get; }

    // RFC 3954 §5.1 Header Format, §5.2 FlowSet Format.
    public DecodeStatus Decode<TSink>(ReadOnlySpan<byte> datagram, NetAddress exporter, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(datagram);
        if (!r.TryU16(out var version))
        {
            return DecodeStatus.Truncated;
        }
        if (version != 9)
        {
            return DecodeStatus.BadVersion;
        }
        if (datagram.Length < HeaderLength)
        {
            return DecodeStatus.Truncated;
        }
        r.TryU16(out _); // count: exporters disagree on what it counts; the FlowSet lengths are authoritative.
        r.TryU32(out var sysUptime);
        r.TryU32(out var unixSecs);
        r.TryU32(out _);
        r.TryU32(out var sourceId);
        var ctx = new ExportContext(FlowSource.NetFlowV9, exporter, sourceId, unixSecs, sysUptime);
        var status = DecodeStatus.Ok;
        TemplateSession? session = null;
        var looked = false;
        while (r.Remaining > 0)
        {
            if (r.Remaining < 4)
            {
                // Trailing bytes shorter than a FlowSet header: padding by a sloppy exporter.
                break;
            }
            r.TryU16(out var setId);
            r.TryU16(out var setLength);
            if (setLength < 4)
            {
                return DecodeStatuses.Merge(status, DecodeStatus.BadLength);
            }
            if (!r.TrySlice(setLength - 4, out var body))
            {
                return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
            }
            if (setId == TemplateFlowSetId || setId == OptionsTemplateFlowSetId)
            {
                session ??= Templates.GetOrAdd(exporter, sourceId);
                looked = true;
                if (session is null)
                {
                    status = DecodeStatuses.Merge(status, DecodeStatus.TooManyExporters);
                    continue;
                }
                var s = setId == TemplateFlowSetId ? ReadTemplates(session, body) : ReadOptionsTemplates(session, body);
                status = DecodeStatuses.Merge(status, s);
            }
            else if (setId >= FirstDataFlowSetId)
            {
                if (!looked)
                {
                    session = Templates.Find(exporter, sourceId);
                    looked = true;
                }
                if (session is null || !session.TryGet(setId, out var template))
                {
                    status = DecodeStatuses.Merge(status, DecodeStatus.NeedTemplate);
                    continue;
                }
                status = DecodeStatuses.Merge(status, DataSetDecoder.Decode(session, template, body, in ctx, ref sink));
            }
        }
        return status;
    }

    // RFC 3954 §5.2 Template FlowSet Format.
    static DecodeStatus ReadTemplates(TemplateSession session, ReadOnlySpan<byte> body)
    {
        var status = DecodeStatus.Ok;
        var r = new WireReader(body);
        Span<TemplateField> scratch = stackalloc TemplateField[FlowLimits.MaxFieldsPerTemplate];
        while (r.Remaining >= 4)
        {
            r.TryU16(out var id);
            r.TryU16(out var count);
            if (id < FirstDataFlowSetId || count == 0 || count > FlowLimits.MaxFieldsPerTemplate)
            {
                // Cannot know where the next template starts: give up on the rest of the FlowSet.
                return DecodeStatuses.Merge(status, id == 0 && count == 0 ? DecodeStatus.Ok : DecodeStatus.BadTemplate);
            }
            if (!r.TrySlice(count * 4, out var spec))
            {
                return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
            }
            if (session.IsUnchanged(id, false, spec))
            {
                continue;
            }
            var b = new TemplateBuilder(scratch);
            var ok = true;
            var sr = new WireReader(spec);
            for (var i = 0; i < count && ok; i++)
            {
                sr.TryU16(out var type);
                sr.TryU16(out var length);
                ok = length != FlowTemplate.VariableLength && b.TryAdd(FieldKinds.Map(type, length), length);
            }
            status = DecodeStatuses.Merge(status, ok ? session.Add(b.Build(id, false, spec)) : DecodeStatus.BadTemplate);
            if (!ok)
            {
                session.Remove(id);
            }
        }
        return status;
    }

    // RFC 3954 §6.1 Options Template FlowSet Format. Scope field types (System, Interface, ...) are
    // not element ids, so scope fields are only skipped.
    static DecodeStatus ReadOptionsTemplates(TemplateSession session, ReadOnlySpan<byte> body)
    {
        var status = DecodeStatus.Ok;
        var r = new WireReader(body);
        Span<TemplateField> scratch = stackalloc TemplateField[FlowLimits.MaxFieldsPerTemplate];
        while (r.Remaining >= 6)
        {
            r.TryU16(out var id);
            r.TryU16(out var scopeLength);
            r.TryU16(out var optionLength);
            if (id == 0 && scopeLength == 0 && optionLength == 0)
            {
                break;
            }
            var fieldCount = (scopeLength + optionLength) / 4;
            if (id < FirstDataFlowSetId || scopeLength % 4 != 0 || optionLength % 4 != 0 || fieldCount == 0 || fieldCount > FlowLimits.MaxFieldsPerTemplate)
            {
                return DecodeStatuses.Merge(status, DecodeStatus.BadTemplate);
            }
            if (!r.TrySlice(scopeLength + optionLength, out var spec))
            {
                return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
            }
            if (!session.IsUnchanged(id, true, spec))
            {
                var b = new TemplateBuilder(scratch);
                var ok = true;
                var sr = new WireReader(spec);
                for (var i = 0; i < fieldCount && ok; i++)
                {
                    sr.TryU16(out var type);
                    sr.TryU16(out var length);
                    var kind = i < scopeLength / 4 ? TemplateFieldKind.Skip : FieldKinds.Map(type, length);
                    ok = length != FlowTemplate.VariableLength && b.TryAdd(kind, length);
                }
                status = DecodeStatuses.Merge(status, ok ? session.Add(b.Build(id, true, spec)) : DecodeStatus.BadTemplate);
                if (!ok)
                {
                    session.Remove(id);
                }
            }
            // Options templates are padded to a four-byte boundary; the padding is zero.
        }
        return status;
    }
}
