using System.Net;
using Belfry.Core.Net;

namespace Belfry.Flows.Collection;

/// <summary>A bound collector socket.</summary>
/// <param name="Kind">NetFlow/IPFIX or sFlow.</param>
/// <param name="EndPoint">The bound address and port (the real port when 0 was asked).</param>
/// <param name="Loops">Receive loops (sockets) on this endpoint.</param>
/// <param name="RequestedReceiveBufferBytes">SO_RCVBUF asked for.</param>
/// <param name="ReceiveBufferBytes">What the kernel reports (<c>Socket.ReceiveBufferSize</c>; Linux doubles the granted value).</param>
public sealed record FlowListenerInfo(FlowListenerKind Kind, IPEndPoint EndPoint, int Loops, int RequestedReceiveBufferBytes, int ReceiveBufferBytes);

/// <summary>Counters of one exporter (UDP source address), summed over the collector's loops.</summary>
public sealed class ExporterStats
{
    readonly long[] _errors;

    internal ExporterStats(NetAddress exporter, bool isOther)
    {
        Exporter = exporter;
        IsOther = isOther;
        _errors = new long[DecodeStatuses.Count];
    }

    /// <summary>The exporter's address; meaningless when <see cref="IsOther"/>.</summary>
    public NetAddress Exporter { get; }

    /// <summary>True for the bucket that holds every exporter beyond the table's cap.</summary>
    public bool IsOther { get; }

    public long Datagrams { get; private set; }

    /// <summary>Flow records (NetFlow/IPFIX) and flow samples (sFlow) decoded.</summary>
    public long Records { get; private set; }

    /// <summary>sFlow interface counter records decoded.</summary>
    public long CounterRecords { get; private set; }

    /// <summary>UDP payload bytes received.</summary>
    public long Bytes { get; private set; }

    /// <summary>Records whose claimed sampling rate was above the exporter's bound: passed on unscaled (rate 1).</summary>
    public long SamplingCapped { get; private set; }

    /// <summary>Datagrams during which a decoder or consumer threw (caught; the loop went on).</summary>
    public long ProcessingErrors { get; private set; }

    /// <summary>Datagrams whose decoding reported a problem (see <see cref="DecodeErrors"/>); records before the problem were still delivered.</summary>
    public long Drops { get; private set; }

    public long LastSeenUnixMs { get; private set; }

    /// <summary>Datagrams that ended with <paramref name="status"/> (0 for <see cref="DecodeStatus.Ok"/>).</summary>
    public long DecodeErrors(DecodeStatus status) => _errors[(int)status];

    /// <summary>"other" or the address text.</summary>
    public string Name => IsOther ? "other" : Exporter.ToString();

    internal void Add(ExporterSlot s)
    {
        Datagrams += Volatile.Read(ref s.Datagrams);
        Records += Volatile.Read(ref s.Records);
        CounterRecords += Volatile.Read(ref s.CounterRecords);
        Bytes += Volatile.Read(ref s.Bytes);
        Drops += Volatile.Read(ref s.Drops);
        SamplingCapped += Volatile.Read(ref s.SamplingCapped);
        ProcessingErrors += Volatile.Read(ref s.ProcessingErrors);
        LastSeenUnixMs = Math.Max(LastSeenUnixMs, Volatile.Read(ref s.LastSeenUnixMs));
        for (var i = 0; i < _errors.Length; i++)
        {
            _errors[i] += Volatile.Read(ref s.Errors[i]);
        }
    }
}

/// <summary>A point-in-time copy of a collector's counters.</summary>
public sealed class FlowCollectorSnapshot
{
    internal FlowCollectorSnapshot(IReadOnlyList<FlowListenerInfo> listeners, IReadOnlyList<ExporterStats> exporters, long socketErrors, IReadOnlyList<ExporterStats> refused, long consumerErrors, long decoderErrors)
    {
        Listeners = listeners;
        Exporters = exporters;
        SocketErrors = socketErrors;
        Refused = refused;
        ConsumerErrors = consumerErrors;
        DecoderErrors = decoderErrors;
        foreach (var r in refused)
        {
            RefusedDatagrams += r.Datagrams;
        }
        var errors = new long[DecodeStatuses.Count];
        foreach (var e in exporters)
        {
            Datagrams += e.Datagrams;
            Records += e.Records;
            CounterRecords += e.CounterRecords;
            Bytes += e.Bytes;
            Drops += e.Drops;
            SamplingCapped += e.SamplingCapped;
            for (var i = 1; i < errors.Length; i++)
            {
                errors[i] += e.DecodeErrors((DecodeStatus)i);
            }
        }
        _errors = errors;
    }

    readonly long[] _errors;

    public IReadOnlyList<FlowListenerInfo> Listeners { get; }

    /// <summary>Per exporter, ordered by address, the "other" bucket last.</summary>
    public IReadOnlyList<ExporterStats> Exporters { get; }

    /// <summary>Receive calls that failed (other than the stop).</summary>
    public long SocketErrors { get; }

    /// <summary>
    /// Sources that are not allowed exporters (<see cref="FlowCollectorOptions.AllowedExporters"/>):
    /// only <see cref="ExporterStats.Datagrams"/>, <see cref="ExporterStats.Bytes"/> and last seen are
    /// counted; nothing was decoded. Ordered by address, "other" last.
    /// </summary>
    public IReadOnlyList<ExporterStats> Refused { get; }

    /// <summary>Datagrams from sources that are not allowed exporters (not in <see cref="Datagrams"/>).</summary>
    public long RefusedDatagrams { get; }

    /// <summary>Datagrams during which a consumer threw.</summary>
    public long ConsumerErrors { get; }

    /// <summary>Datagrams during which a decoder threw (a bug: decoders report problems as <see cref="DecodeStatus"/>).</summary>
    public long DecoderErrors { get; }

    /// <summary>Records passed on unscaled because they claimed a sampling rate above their exporter's bound.</summary>
    public long SamplingCapped { get; }

    /// <summary>Datagrams from allowed exporters.</summary>
    public long Datagrams { get; }
    public long Records { get; }
    public long CounterRecords { get; }
    public long Bytes { get; }
    public long Drops { get; }

    /// <summary>Datagrams of all exporters that ended with <paramref name="status"/>.</summary>
    public long DecodeErrors(DecodeStatus status) => _errors[(int)status];

    /// <summary>The counters of <paramref name="exporter"/>, or null when it was not seen (or folded into "other").</summary>
    public ExporterStats? Find(NetAddress exporter) => Exporters.FirstOrDefault(e => !e.IsOther && e.Exporter == exporter);
}
