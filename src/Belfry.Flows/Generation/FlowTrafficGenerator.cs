using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Belfry.Core.Net;

namespace Belfry.Flows.Generation;

/// <summary>
/// Sends NetFlow v9, IPFIX or sFlow v5 over UDP at a target record rate: background traffic plus
/// optional <see cref="TrafficPattern"/>s (attacks). Datagrams are built once per stream, into a ring;
/// each send only rewrites the header (time, sequence) and, per record, the source address and the
/// flow times, so one thread drives a collector at millions of records per second. Pacing works in
/// time slices: every pass sends what each stream owes by now, then sleeps until more is owed.
/// Counts are exact: <see cref="FlowGeneratorResult.Records"/> records went out in datagrams that the
/// kernel accepted. NetFlow v9/IPFIX records carry their sampling rate in samplingInterval (34).
/// </summary>
public sealed class FlowTrafficGenerator
{
    const int RingDatagrams = 64;
    const ushort V4TemplateId = 256;
    const ushort V6TemplateId = 257;
    const double FlushSeconds = 0.1;
    const int SFlowSampleOverhead = 8 + 32 + 8 + 16;

    static readonly FieldSpec[] s_v4Fields = [.. TemplateMessageWriter.StandardIPv4Fields, new(34, 4)];
    static readonly FieldSpec[] s_v6Fields = [.. TemplateMessageWriter.StandardIPv6Fields, new(34, 4)];
    static readonly NetPrefix s_v4AttackSources = NetPrefix.Parse("100.64.0.0/10");
    static readonly NetPrefix s_v6AttackSources = NetPrefix.Parse("2001:db8:5000::/48");
    static readonly NetPrefix s_v6BackgroundSources = NetPrefix.Parse("2001:db8:4000::/36");

    readonly FlowGeneratorOptions _options;
    readonly TrafficStream[] _streams;
    readonly byte[]? _templates;
    readonly int _startTimeOffset;
    readonly int _startTimeOffsetV6;
    readonly int _sflowSequenceOffset;
    uint _exportPackets;
    uint _ipfixSequence;
    long _dataDatagrams;
    long _templateDatagrams;
    long _sendErrors;

    public FlowTrafficGenerator(FlowGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Target);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BackgroundRecordsPerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDatagramBytes, 256);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxDatagramBytes, 65_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SFlowHeaderBytes, 64);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TemplateRefreshDatagrams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BackgroundSamplingRate);
        _options = options;
        _startTimeOffset = OffsetOf(s_v4Fields, 152);
        _startTimeOffsetV6 = OffsetOf(s_v6Fields, 152);
        _sflowSequenceOffset = options.SFlowAgent.IsV4 ? 16 : 28;
        var random = new Random(options.Seed);
        var streams = new List<TrafficStream>();
        if (options.BackgroundRecordsPerSecond > 0 && options.BackgroundDestinations.Count > 0)
        {
            var share = options.BackgroundRecordsPerSecond / options.BackgroundDestinations.Count;
            foreach (var dst in options.BackgroundDestinations)
            {
                var sources = dst.IsV4 ? options.BackgroundSources : s_v6BackgroundSources;
                if (sources.IsV4 != dst.IsV4)
                {
                    throw new ArgumentException("Background sources and destinations must be of one address family.", nameof(options));
                }
                streams.Add(CreateStream("background", share, dst, new SourceCycle(sources, options.BackgroundSourceCount), random, pattern: null));
            }
        }
        foreach (var p in options.Patterns)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p.SamplingRate);
            var sources = p.Sources ?? (p.Destination.IsV4 ? s_v4AttackSources : s_v6AttackSources);
            if (sources.IsV4 != p.Destination.IsV4)
            {
                throw new ArgumentException($"Pattern {p.Name ?? p.Destination.ToString()}: sources and destination must be of one address family.", nameof(options));
            }
            streams.Add(CreateStream(p.Name ?? p.Destination.ToString(), p.RecordsPerSecond, p.Destination, new SourceCycle(sources, p.SourceCount), random, p));
        }
        _streams = [.. streams];
        _templates = options.Format switch
        {
            FlowExportFormat.Ipfix => new IpfixWriter(0, 0, options.ObservationDomain).Template(V4TemplateId, s_v4Fields).Template(V6TemplateId, s_v6Fields).ToArray(),
            FlowExportFormat.NetFlowV9 => new NetFlowV9Writer(0, 0, 0, options.ObservationDomain).Template(V4TemplateId, s_v4Fields).Template(V6TemplateId, s_v6Fields).ToArray(),
            _ => null,
        };
    }

    /// <summary>Records per second over all streams.</summary>
    public double RecordsPerSecond => _streams.Sum(s => s.Rate);

    /// <summary>Runs on a dedicated thread until the duration, the record count or cancellation.</summary>
    public Task<FlowGeneratorResult> RunAsync(CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Sends on the calling thread until the duration, the record count or cancellation.</summary>
    public FlowGeneratorResult Run(CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(_options.Target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.SendBufferSize = _options.SendBufferBytes;
        if (_options.LocalEndPoint is { } local)
        {
            socket.Bind(local);
        }
        // Connected: the kernel keeps the route, and each send skips the address.
        socket.Connect(_options.Target);

        var max = _options.MaxRecords ?? long.MaxValue;
        var duration = _options.Duration?.TotalSeconds ?? double.PositiveInfinity;
        var started = Stopwatch.GetTimestamp();
        var startUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long total = 0;
        var sinceTemplate = int.MaxValue;
        while (!cancellationToken.IsCancellationRequested && total < max)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (elapsed >= duration)
            {
                break;
            }
            var nowMs = startUnixMs + (long)(elapsed * 1000);
            var progressed = false;
            var wait = double.PositiveInfinity;
            foreach (var s in _streams)
            {
                var owed = (s.Rate * elapsed) - s.Records;
                while (total < max)
                {
                    var next = s.Ring[s.Next];
                    var n = next.Records;
                    if (owed < n)
                    {
                        // A slow stream flushes what it owes, as an exporter's export timer would.
                        if (owed < 1 || elapsed - s.LastSendSeconds < FlushSeconds)
                        {
                            wait = Math.Min(wait, (n - owed) / s.Rate);
                            break;
                        }
                        n = (int)owed;
                    }
                    n = (int)Math.Min(n, max - total);
                    if (_templates is not null && sinceTemplate >= _options.TemplateRefreshDatagrams)
                    {
                        SendTemplates(socket, nowMs);
                        sinceTemplate = 0;
                    }
                    var datagram = n == next.Records ? next : Build(s, next.Specs[..n]);
                    if (Send(socket, s, datagram, nowMs, (uint)(nowMs - startUnixMs)))
                    {
                        total += n;
                        owed -= n;
                        sinceTemplate++;
                    }
                    else
                    {
                        owed = 0;
                    }
                    s.Next = (s.Next + 1) % s.Ring.Length;
                    s.LastSendSeconds = elapsed;
                    progressed = true;
                }
            }
            if (!progressed)
            {
                // Time slices: sleep (about 1 ms on Linux) and send what is owed by then in one burst;
                // spinning would take the core the collector needs on small machines.
                Thread.Sleep(wait > 0.000_05 ? 1 : 0);
            }
        }
        var streams = _streams.GroupBy(s => s.Name)
            .Select(g => new FlowStreamResult(g.Key, g.Sum(s => s.Records), (ulong)g.Sum(s => (decimal)s.Packets), (ulong)g.Sum(s => (decimal)s.Bytes)))
            .ToList();
        return new FlowGeneratorResult(total, _dataDatagrams, _templateDatagrams, _sendErrors, Stopwatch.GetElapsedTime(started), streams);
    }

    bool Send(Socket socket, TrafficStream s, Datagram d, long nowMs, uint uptimeMs)
    {
        var data = d.Data;
        var secs = (uint)(nowMs / 1000);
        switch (_options.Format)
        {
            case FlowExportFormat.NetFlowV9:
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), uptimeMs);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), secs);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(12), _exportPackets);
                break;
            case FlowExportFormat.Ipfix:
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), secs);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), _ipfixSequence);
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(_sflowSequenceOffset), _exportPackets);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(_sflowSequenceOffset + 4), uptimeMs);
                break;
        }
        var timeOffset = _options.Format == FlowExportFormat.SFlow ? -1 : s.IsV4 ? _startTimeOffset : _startTimeOffsetV6;
        for (var i = 0; i < d.Records; i++)
        {
            var at = d.SourceOffsets[i];
            var src = s.Sources.Next();
            if (s.IsV4)
            {
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), src.V4);
            }
            else
            {
                BinaryPrimitives.WriteUInt128BigEndian(data.AsSpan(at), src.Value);
            }
            if (timeOffset >= 0)
            {
                BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(at + timeOffset), (ulong)(nowMs - 1000));
                BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(at + timeOffset + 8), (ulong)nowMs);
            }
        }
        try
        {
            socket.Send(data, SocketFlags.None);
        }
        catch (SocketException)
        {
            // Nobody listening (ICMP port unreachable), no buffer space ...: the datagram is not sent.
            _sendErrors++;
            return false;
        }
        _exportPackets++;
        _ipfixSequence += (uint)d.Records;
        _dataDatagrams++;
        s.Records += d.Records;
        s.Packets += d.Packets;
        s.Bytes += d.Bytes;
        return true;
    }

    void SendTemplates(Socket socket, long nowMs)
    {
        var t = _templates!;
        if (_options.Format == FlowExportFormat.NetFlowV9)
        {
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), (uint)(nowMs / 1000));
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(12), _exportPackets);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), (uint)(nowMs / 1000));
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), _ipfixSequence);
        }
        try
        {
            socket.Send(t, SocketFlags.None);
            _exportPackets++;
            _templateDatagrams++;
        }
        catch (SocketException)
        {
            _sendErrors++;
        }
    }

    TrafficStream CreateStream(string name, double rate, NetPrefix destination, SourceCycle sources, Random random, TrafficPattern? pattern)
    {
        var s = new TrafficStream(name, rate, destination.IsV4, sources);
        for (var i = 0; i < RingDatagrams; i++)
        {
            var specs = new List<RecordSpec>();
            var size = HeaderLength(destination.IsV4);
            while (true)
            {
                var spec = pattern is null ? Background(destination, random) : FromPattern(pattern, destination, random);
                var add = RecordLength(spec, destination.IsV4);
                if (specs.Count > 0 && size + add > _options.MaxDatagramBytes)
                {
                    break;
                }
                specs.Add(spec);
                size += add;
            }
            s.Ring[i] = Build(s, specs.ToArray());
        }
        return s;
    }

    int HeaderLength(bool v4) => _options.Format switch
    {
        FlowExportFormat.NetFlowV9 => 20 + 4 + 3, // set header, worst-case padding
        FlowExportFormat.Ipfix => 16 + 4,
        _ => _options.SFlowAgent.IsV4 ? 28 : 40,
    };

    int RecordLength(in RecordSpec spec, bool v4) => _options.Format == FlowExportFormat.SFlow
        ? SFlowSampleOverhead + ((Math.Min(spec.FrameLength, _options.SFlowHeaderBytes) + 3) & ~3)
        : v4 ? RecordLength(s_v4Fields) : RecordLength(s_v6Fields);

    Datagram Build(TrafficStream s, RecordSpec[] specs)
    {
        var offsets = new int[specs.Length];
        byte[] data;
        var placeholder = s.Sources.Prefix.Network;
        if (_options.Format == FlowExportFormat.SFlow)
        {
            var w = new SFlowWriter(_options.SFlowAgent, _options.ObservationDomain, 0, 0);
            var at = _options.SFlowAgent.IsV4 ? 28 : 40;
            for (var i = 0; i < specs.Length; i++)
            {
                var frame = PacketBuilder.Ethernet(specs[i].Packet(placeholder));
                var header = frame.AsSpan(0, Math.Min(frame.Length, _options.SFlowHeaderBytes)).ToArray();
                w.FlowSample(specs[i].SamplingRate, header, (uint)frame.Length);
                // sFlow v5 flow_sample: 8 (tag, length) + 32 (fields) + 8 (record tag, length) + 16 (sampled_header fields), then the frame.
                offsets[i] = at + SFlowSampleOverhead + 14 + (s.IsV4 ? 12 : 8);
                at += SFlowSampleOverhead + ((header.Length + 3) & ~3);
            }
            data = w.ToArray();
        }
        else
        {
            TemplateMessageWriter w = _options.Format == FlowExportFormat.Ipfix
                ? new IpfixWriter(0, 0, _options.ObservationDomain)
                : new NetFlowV9Writer(0, 0, 0, _options.ObservationDomain);
            w.BeginData(s.IsV4 ? V4TemplateId : V6TemplateId);
            for (var i = 0; i < specs.Length; i++)
            {
                offsets[i] = w.Buffer.Length;
                w.StandardRecord(specs[i].Flow(placeholder));
                w.Buffer.U32(specs[i].SamplingRate);
            }
            data = w.ToArray();
        }
        foreach (var o in offsets)
        {
            var written = s.IsV4 ? NetAddress.FromV4(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(o))) : new NetAddress(BinaryPrimitives.ReadUInt128BigEndian(data.AsSpan(o)));
            if (written != placeholder)
            {
                throw new InvalidOperationException("Generator layout error: source address not where expected.");
            }
        }
        ulong packets = 0, bytes = 0;
        foreach (var spec in specs)
        {
            packets += spec.Packets * spec.SamplingRate;
            bytes += spec.Bytes(_options.Format) * spec.SamplingRate;
        }
        return new Datagram(data, specs, offsets, packets, bytes);
    }

    RecordSpec Background(NetPrefix destination, Random random)
    {
        var dst = RandomIn(destination, random);
        var sport = (ushort)random.Next(1024, 65536);
        var x = random.NextDouble();
        var rate = _options.BackgroundSamplingRate;
        var packets = _options.Format == FlowExportFormat.SFlow ? 1u : (uint)random.Next(1, 31);
        return x switch
        {
            < 0.55 => new RecordSpec(dst, sport, 443, 6, 0x18, random.Next(60, 1501), packets, rate),
            < 0.75 => new RecordSpec(dst, sport, 80, 6, 0x10, random.Next(60, 1501), packets, rate),
            < 0.85 => new RecordSpec(dst, sport, 53, 17, 0, random.Next(60, 512), 1, rate),
            < 0.95 => new RecordSpec(dst, sport, 443, 17, 0, random.Next(100, 1351), packets, rate),
            _ => new RecordSpec(dst, 0, 0, destination.IsV4 ? (byte)1 : (byte)58, 0, 84, 1, rate, IcmpType: destination.IsV4 ? (byte)8 : (byte)128),
        };
    }

    static RecordSpec FromPattern(TrafficPattern p, NetPrefix destination, Random random)
    {
        var sport = p.SourcePort != 0 ? p.SourcePort : (ushort)random.Next(1024, 65536);
        var dport = p.DestinationPort != 0 ? p.DestinationPort : (ushort)random.Next(1, 65536);
        var icmp = p.Protocol is 1 or 58;
        return new RecordSpec(RandomIn(destination, random), icmp ? (ushort)0 : sport, icmp ? (ushort)0 : dport, p.Protocol, p.TcpFlags, p.PacketSize, 1, p.SamplingRate,
            IcmpType: icmp ? (p.Protocol == 1 ? (byte)8 : (byte)128) : (byte)0);
    }

    static NetAddress RandomIn(NetPrefix prefix, Random random)
    {
        var size = prefix.Last.Value - prefix.Network.Value;
        if (size == 0)
        {
            return prefix.Network;
        }
        var offset = (UInt128)(ulong)random.NextInt64() % (size + 1 == 0 ? UInt128.MaxValue : size + 1);
        return new NetAddress(prefix.Network.Value + offset);
    }

    static int OffsetOf(FieldSpec[] fields, ushort id)
    {
        var at = 0;
        foreach (var f in fields)
        {
            if (f.Id == id)
            {
                return at;
            }
            at += f.Length;
        }
        throw new InvalidOperationException($"Field {id} is not in the template.");
    }

    static int RecordLength(FieldSpec[] fields) => fields.Sum(f => f.Length);

    /// <summary>One exported packet: what goes in a flow record or a sampled header.</summary>
    readonly record struct RecordSpec(NetAddress Dst, ushort SrcPort, ushort DstPort, byte Protocol, byte TcpFlags, int PacketSize, uint Packets, uint SamplingRate, byte IcmpType = 0)
    {
        public int FrameLength => 14 + PacketSize;

        public ulong Bytes(FlowExportFormat format) => format == FlowExportFormat.SFlow ? (ulong)FrameLength : (ulong)PacketSize * Packets;

        public FlowRecord Flow(NetAddress src) => new()
        {
            SrcAddress = src,
            DstAddress = Dst,
            SrcPort = SrcPort,
            DstPort = DstPort,
            Protocol = Protocol,
            TcpFlags = TcpFlags,
            RawPackets = Packets,
            RawBytes = (ulong)PacketSize * Packets,
            InputInterface = 1,
            OutputInterface = 2,
            IcmpType = IcmpType,
        };

        public PacketSpec Packet(NetAddress src)
        {
            var headers = (src.IsV4 ? 20 : 40) + Protocol switch
            {
                6 => 20,
                17 => 8,
                1 or 58 => 8,
                _ => 0,
            };
            return new PacketSpec
            {
                Src = src,
                Dst = Dst,
                Protocol = Protocol,
                SrcPort = SrcPort,
                DstPort = DstPort,
                TcpFlags = TcpFlags,
                IcmpType = IcmpType,
                PayloadLength = Math.Max(0, PacketSize - headers),
            };
        }
    }

    sealed record Datagram(byte[] Data, RecordSpec[] Specs, int[] SourceOffsets, ulong Packets, ulong Bytes)
    {
        public int Records => Specs.Length;
    }

    sealed class TrafficStream(string name, double rate, bool isV4, SourceCycle sources)
    {
        public string Name { get; } = name;
        public double Rate { get; } = rate;
        public bool IsV4 { get; } = isV4;
        public SourceCycle Sources { get; } = sources;
        public Datagram[] Ring { get; } = new Datagram[RingDatagrams];
        public int Next;
        public long Records;
        public ulong Packets;
        public ulong Bytes;
        public double LastSendSeconds;
    }

    /// <summary>Cycles through <c>count</c> distinct addresses of a prefix, scattered by an odd multiplier (a bijection modulo the power-of-two prefix size).</summary>
    sealed class SourceCycle(NetPrefix prefix, int count)
    {
        readonly UInt128 _mask = prefix.Last.Value - prefix.Network.Value;
        readonly uint _count = Distinct(prefix, count);
        uint _cursor;

        public NetPrefix Prefix { get; } = prefix;

        public NetAddress Next()
        {
            _cursor = _cursor + 1 == _count ? 0 : _cursor + 1;
            var scattered = (UInt128)(_cursor * 2654435761u) & _mask;
            return new NetAddress(Prefix.Network.Value + scattered);
        }

        static uint Distinct(NetPrefix prefix, int count)
        {
            var sizeMinusOne = prefix.Last.Value - prefix.Network.Value;
            var max = sizeMinusOne >= int.MaxValue ? int.MaxValue : (int)sizeMinusOne + 1;
            return (uint)Math.Clamp(count, 1, max);
        }
    }
}
