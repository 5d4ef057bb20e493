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
    public void Parse_ScanRdpRowsShortOfOneColumn_Rejected()
    {
        // scan_rdp.csv's header has 32 columns (the last is "jarm"); its two rows have 31 values.
        // IntelMQ's csv.DictReader pads a short row with None and IntelMQ keeps both events, silently
        // assuming the missing value is the last one. A short row may as well be truncated or have
        // lost a column in the middle, which would shift every later value into the wrong field;
        // Belfry rejects it (the quarantine keeps the raw row and the reason for the analyst).
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", "scan_rdp.csv"));
        var sink = ShadowserverTestData.Parse(text, "scan_rdp.csv");

        Assert.Empty(sink.Events);
        Assert.Equal([2L, 3L], sink.Rejections.Select(r => r.Line));
        Assert.All(sink.Rejections, r => Assert.Equal("expected 32 columns as in the header, found 31", r.Reason));
        Assert.All(sink.Rejections, r => Assert.Equal("Accessible-RDP", r.Feed));
    }
}
