using System.Net;
using Belfry.Flows.Templates;

namespace Belfry.Flows.Collection;

/// <summary>Settings of a <see cref="FlowCollector"/>.</summary>
public sealed record FlowCollectorOptions
{
    /// <summary>Default requested socket receive buffer: 32 MiB.</summary>
    public const int DefaultReceiveBufferBytes = 32 * 1024 * 1024;

    /// <summary>Default cap on exporters counted one by one, per receive loop; the rest fold into "other".</summary>
    public const int DefaultMaxExporters = 1024;

    /// <summary>Largest number of receive loops (sockets) per endpoint.</summary>
    public const int MaxLoopsPerEndpoint = 64;

    /// <summary>Endpoints for NetFlow v5/v9 and IPFIX, IPv4 or IPv6 (typically port 2055, 4739 or 9995).</summary>
    public IReadOnlyList<IPEndPoint> NetFlowEndpoints { get; init; } = [];

    /// <summary>Endpoints for sFlow v5 (typically port 6343).</summary>
    public IReadOnlyList<IPEndPoint> SFlowEndpoints { get; init; } = [];

    /// <summary>
    /// Requested SO_RCVBUF. Linux caps it at <c>net.core.rmem_max</c> (and reports twice the granted
    /// value); see <see cref="FlowListenerInfo.ReceiveBufferBytes"/> for what was obtained.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = DefaultReceiveBufferBytes;

    /// <summary>
    /// Linux only: ask with SO_RCVBUFFORCE, which ignores <c>net.core.rmem_max</c> for a process with
    /// CAP_NET_ADMIN; falls back to SO_RCVBUF when refused.
    /// </summary>
    public bool ForceReceiveBuffer { get; init; }

    /// <summary>
    /// Receive loops per endpoint. Above 1, that many sockets are bound to the same port with
    /// SO_REUSEPORT (Linux); the kernel hashes each exporter's address and port to one of them, so
    /// an exporter's templates and data reach the same loop and its template cache.
    /// </summary>
    public int LoopsPerEndpoint { get; init; } = 1;

    /// <summary>Exporters tracked one by one per loop; traffic from more addresses is counted under "other".</summary>
    public int MaxExporters { get; init; } = DefaultMaxExporters;

    /// <summary>Default bound on a believable sampling rate (1 in N): the largest rates routers are configured with on very fast links.</summary>
    public const uint DefaultMaxSamplingRate = 65_536;

    /// <summary>
    /// Exporters whose datagrams are decoded, by UDP source address (longest prefix wins, for the
    /// per-exporter sampling bound). Datagrams from any other source are counted per source
    /// (<see cref="FlowCollectorSnapshot.Refused"/>) and ignored: they reach neither the template
    /// caches nor the consumers. Null: loopback only (127.0.0.0/8 and ::1), which is what the demo
    /// and a collector behind a local relay need; a collector fed by routers must list them.
    /// List <c>0.0.0.0/0</c> and <c>::/0</c> to accept every source (not recommended: UDP sources are trivially forged).
    /// </summary>
    public IReadOnlyList<FlowExporterRule>? AllowedExporters { get; init; }

    /// <summary>
    /// Largest sampling rate (1 in N) believed from an exporter without a bound of its own
    /// (<see cref="FlowExporterRule.MaxSamplingRate"/>). A record claiming more is passed on unscaled
    /// (rate 1) and counted per exporter (<see cref="ExporterStats.SamplingCapped"/>).
    /// </summary>
    public uint MaxSamplingRate { get; init; } = DefaultMaxSamplingRate;

    /// <summary>Caps of each loop's template caches, per exporter (see <see cref="FlowTemplateLimits"/>).</summary>
    public FlowTemplateLimits TemplateLimits { get; init; } = new();

    /// <summary>Clock for receive times (sFlow records and "last seen").</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
