namespace Belfry.Flows.Templates;

/// <summary>One field of a compiled template: kind, byte offset in a fixed-length record, length (65535 = variable).</summary>
internal readonly record struct TemplateField(TemplateFieldKind Kind, ushort Offset, ushort Length);

/// <summary>
/// A template compiled for decoding. Fixed-length templates keep only the fields the decoder uses,
/// with precomputed offsets, so unknown elements cost nothing per record; templates with
/// variable-length fields (IPFIX, RFC 7011 §7) keep every field and are walked.
/// </summary>
internal sealed class FlowTemplate
{
    public const ushort VariableLength = 65535;

    public FlowTemplate(ushort id, bool isOptions, TemplateField[] fields, int fixedLength, int minRecordLength, bool hasVariable, byte[] spec)
    {
        Id = id;
        IsOptions = isOptions;
        Fields = fields;
        FixedLength = fixedLength;
        MinRecordLength = minRecordLength;
        HasVariable = hasVariable;
        Spec = spec;
    }

    public ushort Id { get; }
    public bool IsOptions { get; }
    public TemplateField[] Fields { get; }

    /// <summary>Record length when <see cref="HasVariable"/> is false.</summary>
    public int FixedLength { get; }

    /// <summary>Smallest possible record; fewer bytes left in a set are padding.</summary>
    public int MinRecordLength { get; }

    public bool HasVariable { get; }

    /// <summary>Field specifiers as received, to recognise a refresh of an unchanged template without allocating.</summary>
    public byte[] Spec { get; }

    /// <summary>Last use (data, refresh or definition) in its exporter's use counter, for eviction within that exporter.</summary>
    public long LastUsed;
}

/// <summary>Builds a <see cref="FlowTemplate"/> from field specifiers, enforcing the caps.</summary>
internal ref struct TemplateBuilder
{
    // Small templates are the rule: stack space for the usual case, the pool above it.
    readonly Span<TemplateField> _all;
    int _count;
    int _fixed;
    int _min;
    bool _variable;

    public TemplateBuilder(Span<TemplateField> scratch)
    {
        _all = scratch;
        _count = 0;
        _fixed = 0;
        _min = 0;
        _variable = false;
    }

    /// <summary>Adds a field; false when the template breaks a cap or has a zero-length field.</summary>
    public bool TryAdd(TemplateFieldKind kind, ushort length)
    {
        if (length == 0 || _count >= _all.Length)
        {
            return false;
        }
        if (length == FlowTemplate.VariableLength)
        {
            _variable = true;
            _min += 1;
            _all[_count++] = new TemplateField(TemplateFieldKind.Skip, 0, length);
            return true;
        }
        _all[_count++] = new TemplateField(kind, (ushort)Math.Min(_fixed, ushort.MaxValue), length);
        _fixed += length;
        _min += length;
        return _min <= FlowLimits.MaxRecordLength;
    }

    public readonly FlowTemplate Build(ushort id, bool isOptions, ReadOnlySpan<byte> spec)
    {
        TemplateField[] fields;
        if (_variable)
        {
            fields = _all[.._count].ToArray();
        }
        else
        {
            var used = 0;
            foreach (var f in _all[.._count])
            {
                if (f.Kind != TemplateFieldKind.Skip)
                {
                    used++;
                }
            }
            fields = new TemplateField[used];
            used = 0;
            foreach (var f in _all[.._count])
            {
                if (f.Kind != TemplateFieldKind.Skip)
                {
                    fields[used++] = f;
                }
            }
        }
        return new FlowTemplate(id, isOptions, fields, _fixed, _min, _variable, spec.ToArray());
    }
}
