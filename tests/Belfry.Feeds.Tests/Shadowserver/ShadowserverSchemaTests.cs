using System.Text;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

public class ShadowserverSchemaTests
{
    [Fact]
    public void Load_ReferenceSchema_ScanHttpAsPublished()
    {
        var r = ShadowserverTestData.Schema.GetReport("scan_http");

        Assert.Equal("Accessible-HTTP", r.FeedName);
        Assert.Equal("https://www.shadowserver.org/what-we-do/network-reporting/accessible-http-report/", r.Url);
        Assert.Equal(["timestamp", "ip", "port"], r.RequiredFields.Select(m => m.Column));
        Assert.Equal(ShadowserverConversion.AddUtcToTimestamp, r.RequiredFields[0].Conversion);
        Assert.Contains(r.OptionalFields, m => m.Column == "http_date" && m.Conversion == ShadowserverConversion.ConvertDate && m.TargetField == "extra.http_date");
        Assert.Contains(new KeyValuePair<string, string>("classification.identifier", "accessible-http"), r.ConstantFields);
        Assert.Equal("2026-03-24T15:31:20Z", ShadowserverTestData.Schema.Created);
    }

    [Fact]
    public void Load_SchemaKeyDiffersFromFileName_BothFindIt()
    {
        var s = ShadowserverTestData.Schema;
        Assert.Same(s.GetReport("event4_sinkhole"), s.GetReport("event_sinkhole"));
        Assert.Same(s.GetReport("event4_sinkhole"), s.GetReport("Sinkhole-Events IPv4"));
    }

    [Fact]
    public void Load_ConversionArguments_Kept()
    {
        var m = ShadowserverTestData.Schema.GetReport("compromised_website").OptionalFields.Single(f => f.Column == "url");
        Assert.Equal(ShadowserverConversion.ConvertHttpHostAndUrl, m.Conversion);
        Assert.Equal(["true"], m.Arguments);
    }

    [Fact]
    public void Load_UnknownConversion_LoadsAsUnknown()
    {
        const string json = """{"x":{"feed_name":"X","file_name":"x","required_fields":[["time.source","timestamp","new_func"]],"optional_fields":[],"constant_fields":{}}}""";
        var s = ShadowserverSchema.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        var m = Assert.Single(s.GetReport("x").RequiredFields);
        Assert.Equal(ShadowserverConversion.Unknown, m.Conversion);
        Assert.Equal("new_func", m.ConversionName);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"x":{"file_name":"x"}}""")]
    [InlineData("""{"x":{"feed_name":"X","required_fields":[["only-one"]]}}""")]
    public void Load_Malformed_FeedFormatException(string json)
    {
        Assert.Throws<FeedFormatException>(() => ShadowserverSchema.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
    }
}
