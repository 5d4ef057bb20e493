namespace Belfry.Flows;

/// <summary>
/// Outcome of decoding one datagram. Decoders never throw on hostile input: they return the first
/// problem met (records decoded before, and sets that could still be read after, are delivered).
/// </summary>
public enum DecodeStatus : byte
{
    /// <summary>Everything in the datagram was understood.</summary>
    Ok = 0,

    /// <summary>The datagram ends inside a header, set or record.</summary>
    Truncated,

    /// <summary>Unknown version number (or not a flow datagram at all).</summary>
    BadVersion,

    /// <summary>Record or sample count that cannot be right (zero, above the format's maximum, or more than fit).</summary>
    BadCount,

    /// <summary>A length field inside the datagram is inconsistent (set shorter than its header, variable-length field overrunning its set ...).</summary>
    BadLength,

    /// <summary>Data set whose template has not been received (yet) from this exporter and domain.</summary>
    NeedTemplate,

    /// <summary>Template refused: reserved id, no or too many fields, zero-length field, record longer than the cap ...</summary>
    BadTemplate,

    /// <summary>The exporter (or its domain) already held the maximum number of templates: its own least recently used template was evicted to make room.</summary>
    TooManyTemplates,

    /// <summary>Sampling information that gives a rate of zero (the record or option is ignored).</summary>
    BadSampling,

    /// <summary>Header field with an impossible value (for example an sFlow agent address type other than IPv4 or IPv6).</summary>
    BadHeader,

    /// <summary>Templates refused because the template cache already holds the maximum number of exporters (nobody else's are evicted).</summary>
    TooManyExporters,
}

/// <summary>Helpers over <see cref="DecodeStatus"/>.</summary>
public static class DecodeStatuses
{
    /// <summary>Number of values in <see cref="DecodeStatus"/>, for counter arrays indexed by status.</summary>
    public const int Count = (int)DecodeStatus.TooManyExporters + 1;

    /// <summary>Keeps the first problem: <paramref name="current"/> unless it is <see cref="DecodeStatus.Ok"/>.</summary>
    public static DecodeStatus Merge(DecodeStatus current, DecodeStatus next) => current == DecodeStatus.Ok ? next : current;
}
