using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;
using Belfry.Flows;
using Belfry.Flows.Generation;
using Belfry.Flows.Pcap;

namespace Belfry.Fuzz;

/// <summary>
/// Valid inputs the mutations start from: the real captures (shared/captures), what the traffic
/// generator really sends over UDP, and hand-built messages for the parts of each format the
/// generator does not use (options templates, withdrawals, variable-length and enterprise fields,
/// sFlow counter samples, VLAN/MPLS/IPv6 headers).
/// </summary>
internal static class Seeds
{
    static readonly Lazy<byte[][]> s_datagrams = new(BuildDatagrams);
    static readonly Lazy<byte[][]> s_pcaps = new(BuildPcaps);

    /// <summary>Flow datagrams (UDP payloads) of every format.</summary>
    public static IReadOnlyList<byte[]> Datagrams => s_datagrams.Value;

    /// <summary>Whole pcap files: the real captures and small generated ones.</summary>
    public static IReadOnlyList<byte[]> Pcaps => s_pcaps.Value;

    /// <summary>The shared captures: BELFRY_SHARED/captures, or the first parent folder holding shared/captures.</summary>
    public static string CapturesDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("BELFRY_SHARED");
            if (!string.IsNullOrEmpty(env))
            {
                return Path.Combine(env, "captures");
            }
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "captures");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("shared/captures not found above " + AppContext.BaseDirectory + " (set BELFRY_SHARED)");
        }
    }

    public static string[] CaptureFiles => [.. Directory.GetFiles(CapturesDirectory, "*.pcap").Order(StringComparer.Ordinal)];

    public static IEnumerable<byte[]> CaptureDatagrams()
    {
        foreach (var f in CaptureFiles)
        {
            using var s = File.OpenRead(f);
            var reader = new PcapReader(s);
            while (reader.TryReadUdp(out var d))
            {
                yield return d.Payload.ToArray();
            }
        }
    }

    static byte[][] BuildDatagrams()
    {
        var list = new List<byte[]>();
        list.AddRange(HandBuilt());
        foreach (var format in new[] { FlowExportFormat.Ipfix, FlowExportFormat.NetFlowV9, FlowExportFormat.SFlow })
        {
            list.AddRange(GeneratorOutput(format));
        }
        list.AddRange(CaptureDatagrams());
        return [.. list];
    }

    static byte[][] BuildPcaps()
    {
        var list = CaptureFiles.Select(File.ReadAllBytes).ToList();
        // Small generated captures: Ethernet framing of a few datagrams of each format.
        var datagrams = HandBuilt().ToArray();
        for (var i = 0; i < datagrams.Length; i += 3)
        {
            using var ms = new MemoryStream();
            var w = new PcapWriter(ms);
            foreach (var d in datagrams.Skip(i).Take(3))
            {
                w.WriteUdp(NetAddress.Parse("192.0.2.1"), 40_000, NetAddress.Parse("192.0.2.2"), 2055, 1_700_000_000_000_000, d);
            }
            list.Add(ms.ToArray());
        }
        return [.. list];
    }

    static IEnumerable<byte[]> HandBuilt()
    {
        var flows = Enumerable.Range(0, 5).Select(i => new FlowRecord
        {
            SrcAddress = NetAddress.FromV4(0x0A00_0001u + (uint)i),
            DstAddress = NetAddress.Parse("198.51.100.7"),
            SrcPort = (ushort)(1024 + i),
            DstPort = 53,
            Protocol = 17,
            RawPackets = (ulong)(i + 1),
            RawBytes = (ulong)(i + 1) * 100,
            StartUnixMs = 1_700_000_000_000,
            EndUnixMs = 1_700_000_001_000,
        }).ToArray();
        var flows6 = flows.Select((f, i) => f with { SrcAddress = NetAddress.Parse($"2001:db8::{i + 1:x}"), DstAddress = NetAddress.Parse("2001:db8:ffff::1") }).ToArray();
        yield return NetFlowV5Writer.Write(flows, 1_000_000, 1_700_000_000, 1, 100);
        yield return NetFlowV9Writer.Flows(flows, 360_000_000, 1_700_000_100, 1, 7);
        yield return NetFlowV9Writer.Flows(flows6, 360_000_000, 1_700_000_100, 2, 7, templateId: 257);
        yield return IpfixWriter.Flows(flows, 1_700_000_100, 1, 7);
        yield return IpfixWriter.Flows(flows6, 1_700_000_100, 6, 7, templateId: 257);

        // v9 sampling options (scope, sampler id/mode/interval), then data naming the sampler.
        var v9o = new NetFlowV9Writer(1000, 1_700_000_000, 1, 7).OptionsTemplate(300, [new FieldSpec(1, 4)], [new FieldSpec(48, 1), new FieldSpec(49, 1), new FieldSpec(50, 4)]);
        v9o.BeginData(300);
        v9o.Buffer.U32(1).U8(3).U8(2).U32(512);
        v9o.Record();
        yield return v9o.ToArray();
        var v9d = new NetFlowV9Writer(1000, 1_700_000_000, 2, 7).Template(301, new FieldSpec(8, 4), new FieldSpec(12, 4), new FieldSpec(1, 4), new FieldSpec(2, 4), new FieldSpec(48, 1), new FieldSpec(21, 4), new FieldSpec(22, 4));
        v9d.BeginData(301);
        v9d.Buffer.U32(0x0A000001).U32(0xC6336407).U32(1500).U32(3).U8(3).U32(900).U32(1000);
        v9d.Record();
        yield return v9d.ToArray();

        // IPFIX: PSAMP options with a variable-length and an enterprise field, system init time, withdrawals.
        var o = new IpfixWriter(1, 1, 7).OptionsTemplate(310, 1, new FieldSpec(302, 4), new FieldSpec(305, 4), new FieldSpec(306, 4), new FieldSpec(335, FieldSpec.Variable), new FieldSpec(5, 4, 9));
        o.BeginData(310);
        o.Buffer.U32(1).U32(1).U32(99);
        o.VariableBytes("sampler"u8).Buffer.U32(5);
        o.Record();
        yield return o.ToArray();
        var init = new IpfixWriter(1, 2, 7).OptionsTemplate(311, 1, new FieldSpec(149, 4), new FieldSpec(160, 8));
        init.BeginData(311);
        init.Buffer.U32(7).U64(1_699_999_000_000);
        init.Record();
        yield return init.ToArray();
        var up = new IpfixWriter(1_700_000_000, 3, 7).Template(312, new FieldSpec(8, 4), new FieldSpec(12, 4), new FieldSpec(2, 4), new FieldSpec(1, 4), new FieldSpec(21, 4), new FieldSpec(22, 4), new FieldSpec(302, 4), new FieldSpec(100, FieldSpec.Variable));
        up.BeginData(312);
        up.Buffer.U32(0x0A000001).U32(0xC6336407).U32(10).U32(1000).U32(100).U32(200).U32(1);
        up.VariableBytes(new byte[300]);
        up.Record();
        yield return up.ToArray();
        yield return new IpfixWriter(1, 4, 7).Withdraw(312).ToArray();
        yield return new IpfixWriter(1, 5, 7).Withdraw(2).Withdraw(3, options: true).ToArray();

        // sFlow: plain and expanded flow samples with QinQ, MPLS, IPv6 extension headers and fragments; counters.
        var spec = new PacketSpec { Src = NetAddress.Parse("2001:db8::1"), Dst = NetAddress.Parse("2001:db8::2"), Protocol = 6, SrcPort = 1, DstPort = 2, Vlans = [10, 20], MplsLabels = [100], IPv6HopByHop = true, MoreFragments = true };
        yield return new SFlowWriter(NetAddress.Parse("10.0.0.9"), 0, 1, 1)
            .FlowSample(100, PacketBuilder.Ethernet(spec), 1000, gateway: (1, [2, 3]), switchVlan: 5)
            .FlowSample(100, PacketBuilder.Ethernet(spec with { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2"), Protocol = 1 }), 1000, expanded: true)
            .FlowSample(1, PacketBuilder.Ethernet(spec with { Src = NetAddress.Parse("10.0.0.1"), Dst = NetAddress.Parse("10.0.0.2"), FragmentOffset = 10 }), 1500)
            .CounterSample(new SFlowInterfaceCounters { IfIndex = 1 })
            .CounterSample(new SFlowInterfaceCounters { IfIndex = 2 }, expanded: true)
            .ToArray();
    }

    /// <summary>What the traffic generator sends, received on a real loopback socket.</summary>
    static List<byte[]> GeneratorOutput(FlowExportFormat format)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 << 20;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var generator = new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = (IPEndPoint)socket.LocalEndPoint!,
            Format = format,
            BackgroundRecordsPerSecond = 200_000,
            BackgroundSamplingRate = 16,
            MaxRecords = 1_500,
            TemplateRefreshDatagrams = 5,
            Patterns =
            [
                new TrafficPattern { Destination = NetPrefix.Parse("203.0.113.77/32"), PacketsPerSecond = 500_000, SamplingRate = 100, Protocol = 17, SourcePort = 53, PacketSize = 1200 },
                new TrafficPattern { Destination = NetPrefix.Parse("2001:db8:77::/120"), PacketsPerSecond = 200_000, SamplingRate = 100, Protocol = 6, TcpFlags = 0x02, PacketSize = 60, Sources = NetPrefix.Parse("2001:db8:1::/48") },
            ],
            Seed = 7,
        });
        var sent = generator.Run();
        var list = new List<byte[]>();
        var buffer = new byte[65_536];
        var expected = sent.DataDatagrams + sent.TemplateDatagrams;
        socket.ReceiveTimeout = 2_000;
        while (list.Count < expected)
        {
            try
            {
                var n = socket.Receive(buffer);
                list.Add(buffer.AsSpan(0, n).ToArray());
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
                break;
            }
        }
        return list;
    }
}
