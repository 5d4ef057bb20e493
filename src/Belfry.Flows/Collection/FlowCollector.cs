using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Belfry.Flows.Collection;

/// <summary>
/// UDP flow collector: NetFlow v5/v9/IPFIX and sFlow v5 listeners on IPv4 and IPv6 endpoints, one
/// receive loop per socket, each with its own decoder (template cache), exporter table and consumer,
/// so nothing on the receive path is shared between threads. Bad datagrams are counted per exporter
/// and reason and never stop a loop. Counters are read with <see cref="Snapshot"/> and published as
/// <see cref="System.Diagnostics.Metrics"/> instruments (meter <see cref="MeterName"/>).
/// </summary>
public sealed partial class FlowCollector : IAsyncDisposable
{
    /// <summary>Name of the meter the collector's instruments belong to.</summary>
    public const string MeterName = "Belfry.Flows.Collector";

    readonly FlowCollectorOptions _options;
    readonly Func<FlowLoopContext, IFlowRecordConsumer> _consumerFactory;
    readonly List<ReceiveLoop> _loops = [];
    readonly List<FlowListenerInfo> _listeners = [];
    readonly Meter _meter;
    readonly bool _ownsMeter;
    readonly CancellationTokenSource _stop = new();
    readonly ILogger _logger;
    Task? _running;
    long _socketErrors;
    long _consumerErrors;
    long _decoderErrors;
    int _state; // 0 new, 1 started, 2 stopped

    /// <param name="options">Endpoints and socket settings.</param>
    /// <param name="consumerFactory">Called once per receive loop, on <see cref="Start"/>; null: count only.</param>
    /// <param name="meterFactory">Where the meter comes from (dependency injection); null: a meter of the collector's own.</param>
    /// <param name="logger">Where failures of the receive loops are logged (they are counted either way); null: not logged.</param>
    public FlowCollector(FlowCollectorOptions options, Func<FlowLoopContext, IFlowRecordConsumer>? consumerFactory = null, IMeterFactory? meterFactory = null, ILogger<FlowCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LoopsPerEndpoint, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LoopsPerEndpoint, FlowCollectorOptions.MaxLoopsPerEndpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxExporters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReceiveBufferBytes);
        ArgumentOutOfRangeException.ThrowIfZero(options.MaxSamplingRate);
        ArgumentNullException.ThrowIfNull(options.TemplateLimits);
        options.TemplateLimits.Validate();
        if (options.NetFlowEndpoints.Count + options.SFlowEndpoints.Count == 0)
        {
            throw new ArgumentException("The collector needs at least one NetFlow or sFlow endpoint.", nameof(options));
        }
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _consumerFactory = consumerFactory ?? (_ => NullFlowRecordConsumer.Instance);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        CreateInstruments();
    }

    /// <summary>The bound sockets (available after <see cref="Start"/>).</summary>
    public IReadOnlyList<FlowListenerInfo> Listeners => _listeners;

    /// <summary>Receive calls that failed with a socket error, over all loops.</summary>
    public long SocketErrors => Interlocked.Read(ref _socketErrors);

    /// <summary>Datagrams during which a consumer threw (caught, logged; the loop went on).</summary>
    public long ConsumerErrors => Interlocked.Read(ref _consumerErrors);

    /// <summary>Datagrams during which a decoder threw (caught, logged; the loop went on). Decoders are meant never to throw: this is a bug.</summary>
    public long DecoderErrors => Interlocked.Read(ref _decoderErrors);

    /// <summary>
    /// Binds every endpoint and starts the receive loops. Throws <see cref="SocketException"/> when an
    /// endpoint cannot be bound (nothing is left open then).
    /// </summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The collector was already started.");
        }
        try
        {
            foreach (var ep in _options.NetFlowEndpoints)
            {
                Bind(FlowListenerKind.NetFlow, ep);
            }
            foreach (var ep in _options.SFlowEndpoints)
            {
                Bind(FlowListenerKind.SFlow, ep);
            }
        }
        catch
        {
            foreach (var loop in _loops)
            {
                loop.Socket.Dispose();
            }
            _loops.Clear();
            _listeners.Clear();
            throw;
        }
        var tasks = new Task[_loops.Count];
        for (var i = 0; i < _loops.Count; i++)
        {
            var loop = _loops[i];
            tasks[i] = Task.Run(() => loop.RunAsync(_stop.Token));
        }
        _running = Task.WhenAll(tasks);
    }

    /// <summary>Starts (unless started) and runs until <paramref name="cancellationToken"/> is cancelled, then stops.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _state) == 0)
        {
            Start();
        }
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the loops (each finishes the datagram in hand) and closes the sockets.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is { } running)
        {
            await running.ConfigureAwait(false);
        }
        foreach (var loop in _loops)
        {
            loop.Socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Counters of every exporter and listener now. Lock-free; safe while the loops run.</summary>
    public FlowCollectorSnapshot Snapshot()
    {
        var list = Merge(_loops.SelectMany(l => l.Exporters.Slots()));
        var refused = Merge(_loops.SelectMany(l => l.Refused.Slots()));
        return new FlowCollectorSnapshot([.. _listeners], list, SocketErrors, refused, ConsumerErrors, DecoderErrors);
    }

    static List<ExporterStats> Merge(IEnumerable<ExporterSlot> slots)
    {
        var byExporter = new Dictionary<(Core.Net.NetAddress, bool), ExporterStats>();
        {
            foreach (var slot in slots)
            {
                var key = (slot.IsOther ? default : slot.Address, slot.IsOther);
                if (!byExporter.TryGetValue(key, out var stats))
                {
                    stats = new ExporterStats(key.Item1, slot.IsOther);
                    byExporter.Add(key, stats);
                }
                stats.Add(slot);
            }
        }
        return byExporter.Values.OrderBy(e => e.IsOther).ThenBy(e => e.Exporter).ToList();
    }

    void Bind(FlowListenerKind kind, IPEndPoint endPoint)
    {
        var loops = _options.LoopsPerEndpoint;
        var bound = endPoint;
        var requested = _options.ReceiveBufferBytes;
        var granted = 0;
        for (var i = 0; i < loops; i++)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // Explicit: [::] takes IPv6 only; list 0.0.0.0 too for IPv4 on the same port.
                    socket.DualMode = false;
                }
                if (loops > 1)
                {
                    SocketTuning.EnableReusePort(socket);
                }
                SocketTuning.SetReceiveBuffer(socket, requested, _options.ForceReceiveBuffer);
                socket.Bind(bound);
                bound = (IPEndPoint)socket.LocalEndPoint!;
                granted = socket.ReceiveBufferSize;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            var ctx = new FlowLoopContext(_loops.Count, kind, bound);
            _loops.Add(new ReceiveLoop(this, socket, ctx, _consumerFactory(ctx), _options));
        }
        _listeners.Add(new FlowListenerInfo(kind, bound, loops, requested, granted));
    }

    internal void CountSocketError() => Interlocked.Increment(ref _socketErrors);

    internal void CountProcessingError(bool inConsumer) => Interlocked.Increment(ref inConsumer ? ref _consumerErrors : ref _decoderErrors);

    /// <summary>The receive loops (tests inspect their template caches).</summary>
    internal IReadOnlyList<ReceiveLoop> Loops => _loops;
}
