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
        readonly FlowDecoder _decoder = new();
        readonly TimeProvider _clock = options.TimeProvider;

        public Socket Socket { get; } = socket;
        public FlowLoopContext Context { get; } = context;
        public ExporterTable Exporters { get; } = new(options.MaxExporters);

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
                Process(buffer.AsSpan(0, length), from);
            }
        }

        internal void Process(ReadOnlySpan<byte> datagram, SocketAddress from)
        {
            var exporter = ToNetAddress(from);
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            var slot = Exporters.Get(exporter);
            slot.Datagrams++;
            slot.Bytes += datagram.Length;
            slot.LastSeenUnixMs = now;
            consumer.OnDatagram(new FlowDatagram(exporter, Context.Kind, now, datagram.Length));
            var sink = new LoopSink(consumer);
            var status = _decoder.Decode(datagram, exporter, now, ref sink);
            slot.Records += sink.Flows;
            slot.CounterRecords += sink.Counters;
            if (status != DecodeStatus.Ok)
            {
                slot.Drops++;
                slot.Errors[(int)status]++;
            }
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

    struct LoopSink(IFlowRecordConsumer consumer) : IFlowSink
    {
        public int Flows;
        public int Counters;

        public void OnFlow(in FlowRecord record)
        {
            Flows++;
            consumer.OnFlow(in record);
        }

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
            Counters++;
            consumer.OnCounters(in counters);
        }
    }

    /// <summary>The first bound endpoint of <paramref name="kind"/>, for tests and tools that bind port 0.</summary>
    public IPEndPoint EndPointOf(FlowListenerKind kind) =>
        _listeners.FirstOrDefault(l => l.Kind == kind)?.EndPoint ?? throw new InvalidOperationException($"No {kind} listener is bound.");
}
