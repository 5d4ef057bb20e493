using System.Text;
using System.Text.Json;
using Belfry.Flows.Collection;
using Belfry.Flows.Pcap;

namespace Belfry.Flows.Tests.Collection;

/// <summary>The core of `belfry flows decode`: captures to JSON lines.</summary>
public class FlowJsonLinesTests
{
    // Flow records per capture as decoded by tshark (see CaptureTests).
    [Theory]
    [InlineData("100-IPFIXv10-CISCO_traffic-00.pcap", 12)]
    [InlineData("101-NFv9-CISCO-cust_primitives_traffic-00.pcap", 51)]
    [InlineData("104-IPFIXv10-IPv6-CISCO-sampling_option_traffic-00.pcap", 3)]
    [InlineData("111-IPFIXv10-NFv9-IPv6-IPv4-mix_sources_traffic-00.pcap", 11)]
    [InlineData("111-IPFIXv10-NFv9-IPv6-IPv4-mix_sources_traffic-01.pcap", 13)]
    public void DecodeCaptures_CiscoCapture_OneJsonLinePerTsharkRecord(string file, int expected)
    {
        var lines = Decode(out var decoder, out var results, TestData.Capture(file));

        Assert.Equal(expected, lines.Count);
        Assert.Equal(expected, decoder.Counters.FlowRecords);
        Assert.Equal(PcapStatus.End, Assert.Single(results).Status);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.GetProperty("packets").GetUInt64() >= 1);
        }
    }

    [Fact]
    public void DecodeCaptures_AllCapturesInOrder_SharedTemplatesGiveTsharkTotal()
    {
        var files = Directory.GetFiles(TestData.CapturesDirectory, "*.pcap").Order(StringComparer.Ordinal).ToArray();

        var lines = Decode(out var decoder, out var results, files);

        Assert.Equal(12 + 51 + 3 + 11 + 13, lines.Count);
        Assert.Equal(5, results.Count);
        Assert.Equal(5, decoder.Counters.Files);
        Assert.Equal(0, decoder.Counters[DecodeStatus.NeedTemplate]);
    }

    [Fact]
    public void DecodeCaptures_SamplingOptions104_PacketsAndBytesCorrected()
    {
        // tshark: selectorId 1 samples 1 in 256; the first flow has 1 packet of 72 octets.
        var lines = Decode(out _, out _, TestData.Capture("104-IPFIXv10-IPv6-CISCO-sampling_option_traffic-00.pcap"));

        using var doc = JsonDocument.Parse(lines[0]);
        var r = doc.RootElement;
        Assert.Equal("ipfix", r.GetProperty("source").GetString());
        Assert.Equal("fe80::fa53:29ff:fe3a:3152", r.GetProperty("src_addr").GetString());
        Assert.Equal("fe80::ea5c:aff:fe3b:fc00", r.GetProperty("dst_addr").GetString());
        Assert.Equal(58, r.GetProperty("protocol").GetInt32());
        Assert.Equal(256, r.GetProperty("sampling_rate").GetInt32());
        Assert.Equal(256ul, r.GetProperty("packets").GetUInt64());
        Assert.Equal(72ul * 256, r.GetProperty("bytes").GetUInt64());
        Assert.Equal(1ul, r.GetProperty("raw_packets").GetUInt64());
        Assert.Equal(72ul, r.GetProperty("raw_bytes").GetUInt64());
    }

    [Fact]
    public void DecodeCaptures_Ipfix100FirstRecord_FieldsMatchTshark()
    {
        var lines = Decode(out _, out _, TestData.Capture("100-IPFIXv10-CISCO_traffic-00.pcap"));

        using var doc = JsonDocument.Parse(lines[0]);
        var r = doc.RootElement;
        Assert.Equal("138.187.0.13", r.GetProperty("exporter").GetString());
        Assert.Equal("10.231.65.56", r.GetProperty("src_addr").GetString());
        Assert.Equal("10.192.12.213", r.GetProperty("dst_addr").GetString());
        Assert.Equal(17000, r.GetProperty("src_port").GetInt32());
        Assert.Equal(17000, r.GetProperty("dst_port").GetInt32());
        Assert.Equal(17, r.GetProperty("protocol").GetInt32());
        Assert.Equal(2ul, r.GetProperty("packets").GetUInt64());
        Assert.Equal(220ul, r.GetProperty("bytes").GetUInt64());
        Assert.Equal(new DateTime(2023, 2, 28, 9, 46, 1, 88, DateTimeKind.Utc), r.GetProperty("start").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2023, 2, 28, 9, 46, 12, 352, DateTimeKind.Utc), r.GetProperty("end").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public void DecodeCaptures_MissingFileBetweenGoodOnes_ReportedAndOthersDecoded()
    {
        var missing = Path.Combine(Path.GetTempPath(), "belfry-no-such-" + Guid.NewGuid() + ".pcap");

        var lines = Decode(out _, out var results, TestData.Capture("100-IPFIXv10-CISCO_traffic-00.pcap"), missing, TestData.Capture("104-IPFIXv10-IPv6-CISCO-sampling_option_traffic-00.pcap"));

        Assert.Equal(12 + 3, lines.Count);
        Assert.NotNull(results[1].Error);
        Assert.Null(results[0].Error);
        Assert.Null(results[2].Error);
    }

    [Fact]
    public void DecodeCaptures_NotAPcap_StatusBadMagicAndNoLines()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes("this is not a capture file at all"));

            var lines = Decode(out _, out var results, path);

            Assert.Empty(lines);
            Assert.Equal(PcapStatus.BadMagic, Assert.Single(results).Status);
        }
        finally
        {
            File.Delete(path);
        }
    }

    static List<string> Decode(out FlowFileDecoder decoder, out IReadOnlyList<CaptureFileResult> results, params string[] files)
    {
        decoder = new FlowFileDecoder();
        using var output = new MemoryStream();
        results = FlowJsonLines.DecodeCaptures(files, output, decoder);
        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.True(text.Length == 0 || text.EndsWith('\n'));
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
