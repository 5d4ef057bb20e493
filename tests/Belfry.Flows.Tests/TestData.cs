using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests;

internal static class TestData
{
    public static readonly NetAddress Exporter = NetAddress.Parse("192.0.2.1");

    /// <summary>The shared folder holding captures: BELFRY_SHARED, or the first parent with shared/captures.</summary>
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
            throw new DirectoryNotFoundException("shared/captures not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Capture(string name) => Path.Combine(CapturesDirectory, name);

    public static FlowRecord Flow(int i, bool v6 = false) => new()
    {
        SrcAddress = v6 ? NetAddress.Parse($"2001:db8::{i + 1:x}") : NetAddress.FromV4(0x0A000000u + (uint)i + 1),
        DstAddress = v6 ? NetAddress.Parse("2001:db8:ffff::1") : NetAddress.Parse("198.51.100.7"),
        SrcPort = (ushort)(1024 + i),
        DstPort = 53,
        Protocol = 17,
        TcpFlags = 0,
        Tos = 0,
        RawPackets = (ulong)(i + 1),
        RawBytes = (ulong)((i + 1) * 100),
        InputInterface = 3,
        OutputInterface = 4,
        SrcAs = 64500,
        DstAs = 64501,
        StartUnixMs = 1_700_000_000_000 + i,
        EndUnixMs = 1_700_000_001_000 + i,
        Vlan = 0,
    };

    public static FlowRecord[] Flows(int n, bool v6 = false) => [.. Enumerable.Range(0, n).Select(i => Flow(i, v6))];

    /// <summary>IPFIX message with a template and <paramref name="n"/> records.</summary>
    public static byte[] IpfixDatagram(int n = 30, bool v6 = false) => IpfixWriter.Flows(Flows(n, v6), 1_700_000_100, 1, 7);

    public static byte[] V9Datagram(int n = 30, bool v6 = false) => NetFlowV9Writer.Flows(Flows(n, v6), 360_000_000, 1_700_000_100, 1, 7);

    public static List<FlowRecord> Decode(FlowDecoder decoder, byte[] datagram, out DecodeStatus status)
    {
        var sink = new CollectingFlowSink();
        status = decoder.Decode(datagram, Exporter, 1_700_000_000_000, ref sink);
        return sink.Records;
    }
}
