using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;
using Belfry.Flows.Generation;

namespace Belfry.Flows.Tests.Collection;

public class FlowTrafficGeneratorTests
{
    [Fact]
    public void TryParse_FullPattern_AllFieldsSet()
    {
        var ok = TrafficPattern.TryParse("dst=198.51.100.0/24,src=203.0.113.0/24,sources=200,proto=tcp,sport=1234,dport=80,flags=S,pps=50000,size=60,sampling=1000,name=syn", out var p, out var error);

        Assert.True(ok, error);
        Assert.Equal(NetPrefix.Parse("198.51.100.0/24"), p!.Destination);
        Assert.Equal(NetPrefix.Parse("203.0.113.0/24"), p.Sources);
        Assert.Equal(200, p.SourceCount);
        Assert.Equal(6, p.Protocol);
        Assert.Equal(1234, p.SourcePort);
        Assert.Equal(80, p.DestinationPort);
        Assert.Equal(0x02, p.TcpFlags);
        Assert.Equal(50_000, p.PacketsPerSecond);
        Assert.Equal(60, p.PacketSize);
        Assert.Equal(1000u, p.SamplingRate);
        Assert.Equal("syn", p.Name);
        Assert.Equal(50.0, p.RecordsPerSecond);
    }

    [Theory]
    [InlineData("proto=udp", "dst")]
    [InlineData("dst=nope", "dst")]
    [InlineData("dst=198.51.100.1,color=red", "color")]
    [InlineData("dst=198.51.100.1,src=2001:db8::/32", "family")]
    [InlineData("dst=198.51.100.1,sampling=0", "sampling")]
    public void TryParse_BadText_FalseWithReason(string text, string mentioned)
    {
        Assert.False(TrafficPattern.TryParse(text, out _, out var error));
        Assert.Contains(mentioned, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_HostWithoutLength_BecomesSlash32()
    {
        Assert.True(TrafficPattern.TryParse("dst=198.51.100.9,proto=17,sport=53", out var p, out _));
        Assert.Equal(NetPrefix.Parse("198.51.100.9/32"), p!.Destination);
        Assert.Equal(17, p.Protocol);
    }

    [Theory]
    [InlineData(FlowExportFormat.Ipfix)]
    [InlineData(FlowExportFormat.NetFlowV9)]
    public void Run_TemplateRefresh_TemplateFirstThenEveryNDatagrams(FlowExportFormat format)
    {
        using var receiver = Receiver(out var target);
        var generator = new FlowTrafficGenerator(new FlowGeneratorOptions
        {
            Target = target,
            Format = format,
            BackgroundRecordsPerSecond = 50_000,
            MaxRecords = 19 * 25,
            TemplateRefreshDatagrams = 10,
        });

        var sent = generator.Run(TestContext.Current.CancellationToken);
        var datagrams = Drain(receiver);

        Assert.Equal(sent.DataDatagrams + sent.TemplateDatagrams, datagrams.Count);
        Assert.Equal(3, sent.TemplateDatagrams); // before data datagrams 1, 11 and 21
        var decoder = new FlowDecoder();
        var kinds = datagrams.Select(d => TestData.Decode(decoder, d, out _).Count == 0 ? 'T' : 'D').ToArray();
        Assert.Equal('T', kinds[0]);
        Assert.Equal('T', kinds[11]);
        Assert.Equal('T', kinds[22]);
        Assert.Equal(sent.Records, datagrams.Sum(d => TestData.Decode(decoder, d, out _).Count));
    }

    [Fact]
    public void Run_IpfixSequence_CountsDataRecordsBefore()
    {
        using var receiver = Receiver(out var target);
        var sent = new FlowTrafficGenerator(new FlowGeneratorOptions { Target = target, BackgroundRecordsPerSecond = 50_000, MaxRecords = 100 }).Run(TestContext.Current.CancellationToken);
        var datagrams = Drain(receiver);

        var decoder = new FlowDecoder();
        uint expected = 0;
        foreach (var d in datagrams)
        {
            Assert.Equal(expected, BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(8)));
            expected += (uint)TestData.Decode(decoder, d, out _).Count;
        }
        Assert.Equal(100u, expected);
        Assert.Equal(100, sent.Records);
    }

    [Fact]
    public void Run_SFlowPattern_SamplesCarryPatternFields()
    {
        using var receiver = Receiver(out var target);
        var pattern = new TrafficPattern
        {
            Destination = NetPrefix.Parse("203.0.113.0/24"),
            Sources = NetPrefix.Parse("100.64.0.0/16"),
            SourceCount = 50,
            Protocol = 6,
            TcpFlags = 0x02,
            DestinationPort = 443,
            PacketsPerSecond = 400_000,
            SamplingRate = 20,
            PacketSize = 60,
        };
        var sent = new FlowTrafficGenerator(new FlowGeneratorOptions { Target = target, Format = FlowExportFormat.SFlow, BackgroundRecordsPerSecond = 0, Patterns = [pattern], MaxRecords = 500 })
            .Run(TestContext.Current.CancellationToken);

        var decoder = new FlowDecoder();
        var records = Drain(receiver).SelectMany(d => TestData.Decode(decoder, d, out var s) is var r && s == DecodeStatus.Ok ? r : throw new InvalidOperationException(s.ToString())).ToList();

        Assert.Equal(500, sent.Records);
        Assert.Equal(500, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(6, r.Protocol);
            Assert.Equal(0x02, r.TcpFlags);
            Assert.Equal(443, r.DstPort);
            Assert.Equal(20u, r.SamplingRate);
            Assert.Equal(20ul, r.Packets);
            Assert.True(NetPrefix.Parse("203.0.113.0/24").Contains(r.DstAddress));
            Assert.True(NetPrefix.Parse("100.64.0.0/16").Contains(r.SrcAddress));
        });
        Assert.Equal(50, records.Select(r => r.SrcAddress).Distinct().Count());
    }

    static Socket Receiver(out IPEndPoint target)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        target = (IPEndPoint)s.LocalEndPoint!;
        return s;
    }

    static List<byte[]> Drain(Socket s)
    {
        var list = new List<byte[]>();
        var buffer = new byte[65536];
        s.ReceiveTimeout = 500;
        while (true)
        {
            try
            {
                var n = s.Receive(buffer);
                list.Add(buffer[..n]);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                return list;
            }
        }
    }
}
