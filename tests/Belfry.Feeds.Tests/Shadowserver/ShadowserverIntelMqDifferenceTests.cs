namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Where Belfry deliberately gives a different (correct) value than IntelMQ, each with the reason.</summary>
public class ShadowserverIntelMqDifferenceTests
{
    [Fact]
    public void Parse_DeviceIdVendor_GoesToProductVendorNotExtra()
    {
        // The schema maps device_vendor to product.vendor. IntelMQ's harmonisation (develop @ d5e3e41)
        // has no product.* fields, so its parser demotes the value to extra.product.vendor. Belfry's
        // data format knows product.vendor (Fields.Known), so the value lands where the schema says.
        // product.name is unknown to both, so both keep it as extra.product.name.
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", "device_id.csv"));
        var sink = ShadowserverTestData.Parse(text, "device_id.csv");

        Assert.Equal(3, sink.Events.Count);
        Assert.All(sink.Events, e =>
        {
            Assert.Equal("Fortinet", e.GetText("product.vendor"));
            Assert.False(e.Contains("extra.product.vendor"));
            Assert.Equal("FortiGate", e.GetText("extra.product.name"));
        });
    }

    [Fact]
    public void Parse_ScanRdpRowsShortOfOneColumn_KeptWithTrailingColumnsEmpty()
    {
        // scan_rdp.csv's header has 32 columns (the last is "jarm"); its two rows have 31 values:
        // Shadowserver leaves out an empty last column. IntelMQ pads the row and keeps both events;
        // so does Belfry, so no valid record is lost (the sample comparison checks every field).
        // Rows short by more than one value stay rejected (ShadowserverBadInputTests).
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", "scan_rdp.csv"));
        var sink = ShadowserverTestData.Parse(text, "scan_rdp.csv");

        Assert.Empty(sink.Rejections);
        Assert.Equal(["198.123.245.178", "198.123.245.233"], sink.Events.Select(e => e.GetText("source.ip")));
        Assert.All(sink.Events, e => Assert.False(e.Contains("extra.jarm")));
    }

    [Fact]
    public void Parse_RowLongerThanHeader_Rejected()
    {
        // More values than header columns cannot be mapped without guessing which one is extra.
        var text = "\"timestamp\",\"ip\",\"protocol\",\"port\"\n\"2026-11-30 00:00:00\",\"192.0.2.1\",\"tcp\",80,\"surplus\"\n";
        var sink = ShadowserverTestData.Parse(text, "scan_http.csv");

        Assert.Empty(sink.Events);
        var r = Assert.Single(sink.Rejections);
        Assert.Equal(2L, r.Line);
        Assert.Equal("expected 4 columns as in the header, found 5", r.Reason);
    }
}
