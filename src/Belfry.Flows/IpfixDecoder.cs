using Belfry.Core.Net;
using Belfry.Flows.Internal;
using Belfry.Flows.Templates;

namespace Belfry.Flows;

/// <summary>
/// IPFIX (RFC 7011) over UDP. Holds the template cache of the exporters it has seen; one instance
/// per receive loop (not thread-safe).
/// </summary>
public sealed class IpfixDecoder
{
    const int HeaderLength = 16;
    const ushort TemplateSetId = 2;
    const ushort OptionsTemplateSetId = 3;
    const ushort FirstDataSetId = 256;
    const ushort EnterpriseBit = 0x8000;

    public IpfixDecoder()
        : this(new FlowTemplateCache())
    {
    }

    public IpfixDecoder(FlowTemplateCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Templates = cache;
    }

    public FlowTemplateCache Templates { get; }

    // RFC 7011 §3.1 Message Header Format, §3.3 Set Format.
    public DecodeStatus Decode<TSink>(ReadOnlySpan<byte> datagram, NetAddress exporter, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        var r = new WireReader(datagram);
        if (!r.TryU16(out var version))
        {
            return DecodeStatus.Truncated;
        }
        if (version != 10)
        {
            return DecodeStatus.BadVersion;
        }
        if (!r.TryU16(out var length) || datagram.Length < HeaderLength)
        {
            return DecodeStatus.Truncated;
        }
        if (length < HeaderLength)
        {
            return DecodeStatus.BadLength;
        }
        if (length > datagram.Length)
        {
            return DecodeStatus.Truncated;
        }
        r = new WireReader(datagram[4..length]);
        r.TryU32(out var exportTime);
        r.TryU32(out _);
        r.TryU32(out var domain);
        var ctx = new ExportContext(FlowSource.Ipfix, exporter, domain, exportTime, 0);
        var status = DecodeStatus.Ok;
        TemplateSession? session = null;
        var looked = false;
        while (r.Remaining > 0)
        {
            if (r.Remaining < 4)
            {
                return DecodeStatuses.Merge(status, DecodeStatus.BadLength);
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
            if (setId == TemplateSetId || setId == OptionsTemplateSetId)
            {
                session ??= Templates.GetOrAdd(exporter, domain);
                looked = true;
                if (session is null)
                {
                    status = DecodeStatuses.Merge(status, DecodeStatus.TooManyExporters);
                    continue;
                }
                status = DecodeStatuses.Merge(status, ReadTemplates(session, body, setId == OptionsTemplateSetId));
            }
            else if (setId >= FirstDataSetId)
            {
                if (!looked)
                {
                    session = Templates.Find(exporter, domain);
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

    // RFC 7011 §3.4.1 Template Record Format, §3.4.2.2 Options Template Record Format,
    // §3.2 Field Specifier Format, §8.1 Template Withdrawal.
    static DecodeStatus ReadTemplates(TemplateSession session, ReadOnlySpan<byte> body, bool options)
    {
        var status = DecodeStatus.Ok;
        var r = new WireReader(body);
        Span<TemplateField> scratch = stackalloc TemplateField[FlowLimits.MaxFieldsPerTemplate];
        while (r.Remaining >= 4)
        {
            var start = r.Rest;
            r.TryU16(out var id);
            r.TryU16(out var count);
            if (count == 0)
            {
                if (id == 0)
                {
                    break; // padding
                }
                // Withdrawal: the set id itself withdraws every template of that kind.
                if (id == (options ? OptionsTemplateSetId : TemplateSetId))
                {
                    session.RemoveAll(options);
                }
                else if (id >= FirstDataSetId)
                {
                    session.Remove(id);
                }
                else
                {
                    return DecodeStatuses.Merge(status, DecodeStatus.BadTemplate);
                }
                continue;
            }
            if (options)
            {
                if (!r.TryU16(out var scopeCount))
                {
                    return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
                }
                if (scopeCount == 0 || scopeCount > count)
                {
                    return DecodeStatuses.Merge(status, DecodeStatus.BadTemplate);
                }
            }
            if (id < FirstDataSetId || count > FlowLimits.MaxFieldsPerTemplate)
            {
                return DecodeStatuses.Merge(status, DecodeStatus.BadTemplate);
            }
            var b = new TemplateBuilder(scratch);
            var ok = true;
            for (var i = 0; i < count; i++)
            {
                if (!r.TryU16(out var ie) || !r.TryU16(out var length))
                {
                    return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
                }
                var kind = TemplateFieldKind.Skip;
                if ((ie & EnterpriseBit) != 0)
                {
                    // Enterprise-specific element: four more bytes of enterprise number, then skipped by length.
                    if (!r.TrySkip(4))
                    {
                        return DecodeStatuses.Merge(status, DecodeStatus.Truncated);
                    }
                }
                else
                {
                    kind = FieldKinds.Map(ie, length);
                }
                ok &= b.TryAdd(kind, length);
            }
            var specLength = start.Length - r.Remaining;
            var spec = start[..specLength];
            if (!ok)
            {
                session.Remove(id);
                status = DecodeStatuses.Merge(status, DecodeStatus.BadTemplate);
                continue;
            }
            if (!session.IsUnchanged(id, options, spec))
            {
                status = DecodeStatuses.Merge(status, session.Add(b.Build(id, options, spec)));
            }
        }
        return status;
    }
}
