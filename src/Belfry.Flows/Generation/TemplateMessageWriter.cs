using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>
/// Common part of the NetFlow v9 and IPFIX encoders: sets of templates and data records, and a
/// standard flow template that carries every <see cref="FlowRecord"/> field the decoders read.
/// </summary>
public abstract class TemplateMessageWriter
{
    int _setStart = -1;

    protected TemplateMessageWriter(int headerLength)
    {
        Buffer.Zeros(headerLength);
    }

    public WireBuffer Buffer { get; } = new();

    /// <summary>Records (templates and data) written, for the v9 header count.</summary>
    protected int RecordCount { get; set; }

    /// <summary>IPv4 flow template: the fields the decoders map, with 8-byte counters and ms times.</summary>
    public static FieldSpec[] StandardIPv4Fields { get; } =
    [
        new(8, 4), new(12, 4), new(7, 2), new(11, 2), new(4, 1), new(6, 1), new(5, 1), new(2, 8), new(1, 8),
        new(10, 4), new(14, 4), new(16, 4), new(17, 4), new(152, 8), new(153, 8), new(32, 2), new(58, 2), new(197, 1),
    ];

    /// <summary>IPv6 flow template: as <see cref="StandardIPv4Fields"/> with IE 27/28 and icmpTypeCodeIPv6.</summary>
    public static FieldSpec[] StandardIPv6Fields { get; } =
    [
        new(27, 16), new(28, 16), new(7, 2), new(11, 2), new(4, 1), new(6, 1), new(5, 1), new(2, 8), new(1, 8),
        new(10, 4), new(14, 4), new(16, 4), new(17, 4), new(152, 8), new(153, 8), new(139, 2), new(58, 2), new(197, 1),
    ];

    protected void BeginSet(ushort id)
    {
        if (_setStart >= 0)
        {
            EndSet();
        }
        _setStart = Buffer.Length;
        Buffer.U16(id).U16(0);
    }

    /// <summary>Closes the open set, padding it with zeros to <paramref name="align"/> bytes.</summary>
    public void EndSet(int align = 1)
    {
        if (_setStart < 0)
        {
            return;
        }
        while ((Buffer.Length - _setStart) % align != 0)
        {
            Buffer.U8(0);
        }
        Buffer.PatchU16(_setStart + 2, (ushort)(Buffer.Length - _setStart));
        _setStart = -1;
    }

    /// <summary>Starts a data set for <paramref name="templateId"/>; write the record fields to <see cref="Buffer"/>, then call <see cref="Record"/> per record.</summary>
    public TemplateMessageWriter BeginData(ushort templateId)
    {
        BeginSet(templateId);
        return this;
    }

    /// <summary>Counts one data record written into the open data set.</summary>
    public void Record() => RecordCount++;

    /// <summary>Writes one record of the standard template (v4 or v6 by the source address).</summary>
    public void StandardRecord(in FlowRecord r)
    {
        var b = Buffer;
        if (r.SrcAddress.IsV4)
        {
            b.V4(r.SrcAddress).V4(r.DstAddress);
        }
        else
        {
            b.V6(r.SrcAddress).V6(r.DstAddress);
        }
        b.U16(r.SrcPort).U16(r.DstPort).U8(r.Protocol).U8((byte)r.TcpFlags).U8(r.Tos).U64(r.RawPackets).U64(r.RawBytes)
            .U32(r.InputInterface).U32(r.OutputInterface).U32(r.SrcAs).U32(r.DstAs)
            .U64((ulong)r.StartUnixMs).U64((ulong)r.EndUnixMs).U16((ushort)((r.IcmpType << 8) | r.IcmpCode)).U16(r.Vlan)
            .U8(r.IsFragment ? (byte)0x20 : (byte)0);
        RecordCount++;
    }

    public static FieldSpec[] StandardFieldsFor(NetAddress source) => source.IsV4 ? StandardIPv4Fields : StandardIPv6Fields;

    public abstract byte[] ToArray();
}

/// <summary>Builds one IPFIX message (RFC 7011), including malformed ones for tests.</summary>
public sealed class IpfixWriter(uint exportTime, uint sequence, uint observationDomain) : TemplateMessageWriter(16)
{
    public IpfixWriter Template(ushort id, params ReadOnlySpan<FieldSpec> fields)
    {
        BeginSet(2);
        Buffer.U16(id).U16((ushort)fields.Length);
        WriteFields(fields);
        EndSet();
        return this;
    }

    public IpfixWriter OptionsTemplate(ushort id, int scopeCount, params ReadOnlySpan<FieldSpec> fields)
    {
        BeginSet(3);
        Buffer.U16(id).U16((ushort)fields.Length).U16((ushort)scopeCount);
        WriteFields(fields);
        EndSet(4);
        return this;
    }

    /// <summary>RFC 7011 §8.1 withdrawal; id 2 (or 3 with <paramref name="options"/>) withdraws all.</summary>
    public IpfixWriter Withdraw(ushort id, bool options = false)
    {
        BeginSet(options ? (ushort)3 : (ushort)2);
        Buffer.U16(id).U16(0);
        EndSet();
        return this;
    }

    /// <summary>RFC 7011 §7 variable-length field: one length byte, or 255 and two bytes.</summary>
    public IpfixWriter VariableBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length < 255)
        {
            Buffer.U8((byte)value.Length);
        }
        else
        {
            Buffer.U8(255).U16((ushort)value.Length);
        }
        Buffer.Bytes(value);
        return this;
    }

    void WriteFields(ReadOnlySpan<FieldSpec> fields)
    {
        foreach (var f in fields)
        {
            if (f.Enterprise != 0)
            {
                Buffer.U16((ushort)(f.Id | 0x8000)).U16(f.Length).U32(f.Enterprise);
            }
            else
            {
                Buffer.U16(f.Id).U16(f.Length);
            }
        }
    }

    public override byte[] ToArray()
    {
        EndSet();
        Buffer.PatchU16(0, 10);
        Buffer.PatchU16(2, (ushort)Buffer.Length);
        Buffer.PatchU32(4, exportTime);
        Buffer.PatchU32(8, sequence);
        Buffer.PatchU32(12, observationDomain);
        return Buffer.ToArray();
    }

    /// <summary>One message with the standard template and <paramref name="records"/> (all of one address family).</summary>
    public static byte[] Flows(ReadOnlySpan<FlowRecord> records, uint exportTime, uint sequence, uint domain, ushort templateId = 256, bool withTemplate = true)
    {
        var w = new IpfixWriter(exportTime, sequence, domain);
        var fields = records.IsEmpty ? StandardIPv4Fields : StandardFieldsFor(records[0].SrcAddress);
        if (withTemplate)
        {
            w.Template(templateId, fields);
        }
        w.BeginData(templateId);
        foreach (ref readonly var r in records)
        {
            w.StandardRecord(in r);
        }
        return w.ToArray();
    }
}

/// <summary>Builds one NetFlow v9 export packet (RFC 3954).</summary>
public sealed class NetFlowV9Writer(uint sysUptimeMs, uint unixSeconds, uint sequence, uint sourceId) : TemplateMessageWriter(20)
{
    public NetFlowV9Writer Template(ushort id, params ReadOnlySpan<FieldSpec> fields)
    {
        BeginSet(0);
        Buffer.U16(id).U16((ushort)fields.Length);
        foreach (var f in fields)
        {
            Buffer.U16(f.Id).U16(f.Length);
        }
        EndSet();
        RecordCount++;
        return this;
    }

    /// <summary>RFC 3954 §6.1: scope fields use scope types (1 System, 2 Interface, ...).</summary>
    public NetFlowV9Writer OptionsTemplate(ushort id, ReadOnlySpan<FieldSpec> scope, ReadOnlySpan<FieldSpec> options)
    {
        BeginSet(1);
        Buffer.U16(id).U16((ushort)(scope.Length * 4)).U16((ushort)(options.Length * 4));
        foreach (var f in scope)
        {
            Buffer.U16(f.Id).U16(f.Length);
        }
        foreach (var f in options)
        {
            Buffer.U16(f.Id).U16(f.Length);
        }
        EndSet(4);
        RecordCount++;
        return this;
    }

    public override byte[] ToArray()
    {
        EndSet(4);
        Buffer.PatchU16(0, 9);
        Buffer.PatchU16(2, (ushort)RecordCount);
        Buffer.PatchU32(4, sysUptimeMs);
        Buffer.PatchU32(8, unixSeconds);
        Buffer.PatchU32(12, sequence);
        Buffer.PatchU32(16, sourceId);
        return Buffer.ToArray();
    }

    /// <summary>One packet with the standard template and <paramref name="records"/> (all of one address family).</summary>
    public static byte[] Flows(ReadOnlySpan<FlowRecord> records, uint sysUptimeMs, uint unixSeconds, uint sequence, uint sourceId, ushort templateId = 256, bool withTemplate = true)
    {
        var w = new NetFlowV9Writer(sysUptimeMs, unixSeconds, sequence, sourceId);
        var fields = records.IsEmpty ? StandardIPv4Fields : StandardFieldsFor(records[0].SrcAddress);
        if (withTemplate)
        {
            w.Template(templateId, fields);
        }
        w.BeginData(templateId);
        foreach (ref readonly var r in records)
        {
            w.StandardRecord(in r);
        }
        return w.ToArray();
    }
}
