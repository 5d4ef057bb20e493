using System.Net;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>Wire format a <see cref="FlowTrafficGenerator"/> exports.</summary>
public enum FlowExportFormat : byte
{
    NetFlowV9 = 9,
    Ipfix = 10,
    SFlow = 50,
}

/// <summary>Settings of a <see cref="FlowTrafficGenerator"/> run.</summary>
public sealed record FlowGeneratorOptions
{
    /// <summary>The collector to send to.</summary>
    public required IPEndPoint Target { get; init; }

    public FlowExportFormat Format { get; init; } = FlowExportFormat.Ipfix;

    /// <summary>Background (normal) traffic, in exported records per second; 0 for none.</summary>
    public double BackgroundRecordsPerSecond { get; init; } = 10_000;

    /// <summary>Background destinations (the monitored networks); the rate is split evenly between them.</summary>
    public IReadOnlyList<NetPrefix> BackgroundDestinations { get; init; } = [NetPrefix.Parse("198.51.100.0/24")];

    /// <summary>Background sources (IPv4 part; IPv6 destinations draw from 2001:db8:4000::/36).</summary>
    public NetPrefix BackgroundSources { get; init; } = NetPrefix.Parse("0.0.0.0/0");

    /// <summary>Distinct background source addresses, cycled through.</summary>
    public int BackgroundSourceCount { get; init; } = 100_000;

    /// <summary>Sampling rate announced for background records (1 in N).</summary>
    public uint BackgroundSamplingRate { get; init; } = 1;

    /// <summary>Attack or test streams sent alongside the background.</summary>
    public IReadOnlyList<TrafficPattern> Patterns { get; init; } = [];

    /// <summary>Stop after this long (null: only <see cref="MaxRecords"/> or cancellation stops the run).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after exactly this many flow records over all streams (null: no limit).</summary>
    public long? MaxRecords { get; init; }

    /// <summary>NetFlow v9 / IPFIX: the templates are sent first and again after this many data datagrams.</summary>
    public int TemplateRefreshDatagrams { get; init; } = 20;

    /// <summary>Largest UDP payload built (an exporter's usual MTU-bound size).</summary>
    public int MaxDatagramBytes { get; init; } = 1400;

    /// <summary>sFlow: bytes of each sampled packet copied into the sample (sFlow's usual 128).</summary>
    public int SFlowHeaderBytes { get; init; } = 128;

    /// <summary>NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent id.</summary>
    public uint ObservationDomain { get; init; } = 1;

    /// <summary>sFlow agent address written in each datagram.</summary>
    public NetAddress SFlowAgent { get; init; } = NetAddress.Parse("192.0.2.1");

    /// <summary>Local address to send from (e.g. 127.0.0.2 to look like a second exporter on loopback); null: any.</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>Seed of the random choices (addresses, ports, sizes), so runs are repeatable.</summary>
    public int Seed { get; init; } = 1;

    public int SendBufferBytes { get; init; } = 4 * 1024 * 1024;
}

/// <summary>What one stream of a run sent.</summary>
/// <param name="Name">"background" or the pattern's name (or its destination).</param>
/// <param name="Records">Flow records (flow samples for sFlow) sent.</param>
/// <param name="Packets">Sampling-corrected packets those records stand for.</param>
/// <param name="Bytes">Sampling-corrected bytes.</param>
public sealed record FlowStreamResult(string Name, long Records, ulong Packets, ulong Bytes);

/// <summary>Totals of a <see cref="FlowTrafficGenerator"/> run.</summary>
public sealed record FlowGeneratorResult(long Records, long DataDatagrams, long TemplateDatagrams, long SendErrors, TimeSpan Elapsed, IReadOnlyList<FlowStreamResult> Streams)
{
    /// <summary>Records per second actually achieved.</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Records / Elapsed.TotalSeconds : 0;
}
