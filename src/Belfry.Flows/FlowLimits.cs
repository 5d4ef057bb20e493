namespace Belfry.Flows;

/// <summary>
/// Caps on the state an exporter (or a spoofer pretending to be many) can make a decoder hold.
/// Every cap is a named constant so reviewers and tests see the memory bound.
/// </summary>
public static class FlowLimits
{
    /// <summary>Exporter addresses with template state per template cache (default); further exporters' templates are refused, no one is evicted.</summary>
    public const int MaxExporters = 1024;

    /// <summary>Observation domains (sessions) per exporter (default); a further one evicts that exporter's least recently used session.</summary>
    public const int MaxSessionsPerExporter = 64;

    /// <summary>Templates over all sessions of one exporter (default); a further one evicts that exporter's least recently used template.</summary>
    public const int MaxTemplatesPerExporter = 512;

    /// <summary>Templates (data and options) per session, the default and the most allowed; a further new id evicts the session's least recently used one (<see cref="DecodeStatus.TooManyTemplates"/>).</summary>
    public const int MaxTemplatesPerSession = 256;

    /// <summary>Fields per template. Real exporters send at most a few dozen.</summary>
    public const int MaxFieldsPerTemplate = 128;

    /// <summary>Bytes of the fixed-length part of a record. A larger template cannot fit a sane datagram.</summary>
    public const int MaxRecordLength = 8192;

    /// <summary>Sampler/selector ids remembered per session from options data.</summary>
    public const int MaxSamplersPerSession = 64;

    /// <summary>NetFlow v5 records per datagram (Cisco's format limit).</summary>
    public const int MaxNetFlowV5Records = 30;

    /// <summary>VLAN tags, MPLS labels and IPv6 extension headers walked in one sampled packet header.</summary>
    public const int MaxHeaderNesting = 8;

    /// <summary>Largest pcap record accepted by <see cref="Pcap.PcapReader"/>.</summary>
    public const int MaxPcapRecordLength = 262_144;
}
