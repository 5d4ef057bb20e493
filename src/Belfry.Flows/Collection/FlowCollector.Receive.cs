using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;

namespace Belfry.Flows.Collection;

public sealed partial class FlowCollector
{
    /// <summary>Largest UDP payload plus one, so a datagram is never cut.</summary>
    const int ReceiveBufferLength = 65536;

    /// <summary>
    /// One socket, one loop: a pinned buffer and a <see cref="SocketAddress"/> reused for every
    /// datagram, decoding synchronously between two receives (spans never cross an await).
    /// </summary>
    internal sealed class ReceiveLoop(FlowCollector owner, Socket socket, FlowLoopContext context, IFlowRecordConsumer consumer, FlowCollectorOptions options)
    {
        /// <summary>After an unexpected receive failure, wait this long before the next receive (no hot spin).</summary>
        const int ReceiveRetryDelayMs = 100;

        /// <summary>At most one processing error is logged per loop in this interval; the others are counted.</summary>
        static readonly TimeSpan s_errorLogInterval = TimeSpan.FromSeconds(10);

        /// <summary>Refused exporters and capped sampling rates are logged for this many addresses per loop, then only counted.</summary>
        const int MaxAddressWarnings = 16;

        readonly FlowDecoder _decoder = new(options.TemplateLimits);
        readonly TimeProvider _clock = options.TimeProvider;
        readonly ExporterPolicy _policy = new(options.AllowedExporters, options.MaxSamplingRate);
        long _nextErrorLogMs;
        long _suppressedErrors;
        int _refusedWarnings;
        int _samplingWarnings;

        public Socket Socket { get; } = socket;
        public FlowLoopContext Context { get; } = context;
        public ExporterTable Exporters { get; } = new(options.MaxExporters);

        /// <summary>Sources that are not allowed exporters: counted here, never decoded.</summary>
        public ExporterTable Refused { get; } = new(options.MaxExporters);

        internal FlowDecoder Decoder => _decoder;

        public async Task RunAsync(CancellationToken ct)
        {
            var buffer = GC.AllocateArray<byte>(ReceiveBufferLength, pinned: true);
            var memory = buffer.AsMemory();
            var from = new SocketAddress(Socket.AddressFamily);
            while (!ct.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await Socket.ReceiveFromAsync(memory, SocketFlags.None, from, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted && ct.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException)
                {
                    // ICMP errors reported on the socket (Windows), ENOBUFS ...: count and go on.
                    owner.CountSocketError();
                    continue;
                }
#pragma warning disable CA1031 // The loop must outlive any failure: counted, logged, backed off.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    owner.CountSocketError();
                    Log.ReceiveFailed(owner._logger, ex, Context.LoopIndex, Context.Kind, Context.LocalEndPoint, ReceiveRetryDelayMs);
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(ReceiveRetryDelayMs), _clock, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        break;
                    }
                    continue;
                }
                Process(buffer.AsSpan(0, length), from);
            }
        }

        internal void Process(ReadOnlySpan<byte> datagram, SocketAddress from) => Process(datagram, ToNetAddress(from));

        internal void Process(ReadOnlySpan<byte> datagram, NetAddress exporter)
        {
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            uint maxRate;
            if (Exporters.TryGet(exporter, out var slot))
            {
                maxRate = slot.MaxSamplingRate;
            }
            else if (_policy.TryGet(exporter, out maxRate))
            {
                slot = Exporters.Add(exporter, maxRate);
            }
            else
            {
                // Not an allowed exporter: counted per source, never decoded, so it reaches neither
                // the template caches nor the consumers (the DDoS counters).
                var refused = Refused.Get(exporter);
                if (refused.Datagrams == 0 && !refused.IsOther && _refusedWarnings < MaxAddressWarnings)
                {
                    _refusedWarnings++;
                    Log.RefusedExporter(owner._logger, exporter.ToString());
                }
                refused.Datagrams++;
                refused.Bytes += datagram.Length;
                refused.LastSeenUnixMs = now;
                return;
            }
            slot.Datagrams++;
            slot.Bytes += datagram.Length;
            slot.LastSeenUnixMs = now;
            var sink = new LoopSink(consumer, maxRate);
            try
            {
                sink.InConsumer = true;
                consumer.OnDatagram(new FlowDatagram(exporter, Context.Kind, now, datagram.Length));
                sink.InConsumer = false;
                var status = _decoder.Decode(datagram, exporter, now, ref sink);
                if (status != DecodeStatus.Ok)
                {
                    slot.Drops++;
                    slot.Errors[(int)status]++;
                }
            }
#pragma warning disable CA1031 // A bug in a decoder or consumer costs one datagram, never the loop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                slot.ProcessingErrors++;
                owner.CountProcessingError(sink.InConsumer);
                LogProcessingError(ex, sink.InConsumer ? "consumer" : "decoder", exporter, now);
            }
            slot.Records += sink.Flows;
            slot.CounterRecords += sink.Counters;
            if (sink.Capped != 0)
            {
                if (slot.SamplingCapped == 0 && _samplingWarnings < MaxAddressWarnings)
                {
                    _samplingWarnings++;
                    Log.SamplingCapped(owner._logger, exporter.ToString(), sink.CappedRate, maxRate);
                }
                slot.SamplingCapped += sink.Capped;
            }
        }

        void LogProcessingError(Exception ex, string stage, NetAddress exporter, long nowMs)
        {
            if (nowMs < _nextErrorLogMs)
            {
                _suppressedErrors++;
                return;
            }
            Log.ProcessingFailed(owner._logger, ex, Context.LoopIndex, Context.Kind, Context.LocalEndPoint, stage, exporter.ToString(), _suppressedErrors);
            _suppressedErrors = 0;
            _nextErrorLogMs = nowMs + (long)s_errorLogInterval.TotalMilliseconds;
        }

        /// <summary>sockaddr_in / sockaddr_in6: port at 2, IPv4 address at 4, IPv6 address at 8 (same offsets on Linux, BSD and Windows).</summary>
        static NetAddress ToNetAddress(SocketAddress address)
        {
            var b = address.Buffer.Span;
            return address.Family == AddressFamily.InterNetworkV6
                ? new NetAddress(BinaryPrimitives.ReadUInt128BigEndian(b.Slice(8, 16)))
                : NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(b.Slice(4, 4)));
        }
    }

    /// <summary>
    /// Hands records to the loop's consumer, bounding sampling rates on the way: a record claiming a
    /// rate above the exporter's bound is passed unscaled (rate 1, raw packets and bytes) and counted.
    /// Not clamped to the bound: that would still multiply a forged record by the bound. Not dropped:
    /// the flow itself (addresses, ports, raw counts) is still what the exporter saw.
    /// </summary>
    struct LoopSink(IFlowRecordConsumer consumer, uint maxSamplingRate) : IFlowSink
    {
        public int Flows;
        public int Counters;
        public int Capped;
        public uint CappedRate;

        /// <summary>True while the consumer runs, so a caught exception is blamed on the right part.</summary>
        public bool InConsumer;

        public void OnFlow(in FlowRecord record)
        {
            Flows++;
            InConsumer = true;
            if (record.SamplingRate > maxSamplingRate)
            {
                Capped++;
                CappedRate = record.SamplingRate;
                var unscaled = record with { Packets = record.RawPackets, Bytes = record.RawBytes, SamplingRate = 1 };
                consumer.OnFlow(in unscaled);
            }
            else
            {
                consumer.OnFlow(in record);
            }
            InConsumer = false;
        }

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
            Counters++;
            InConsumer = true;
            consumer.OnCounters(in counters);
            InConsumer = false;
        }
    }

    /// <summary>The first bound endpoint of <paramref name="kind"/>, for tests and tools that bind port 0.</summary>
    public IPEndPoint EndPointOf(FlowListenerKind kind) =>
        _listeners.FirstOrDefault(l => l.Kind == kind)?.EndPoint ?? throw new InvalidOperationException($"No {kind} listener is bound.");
}
