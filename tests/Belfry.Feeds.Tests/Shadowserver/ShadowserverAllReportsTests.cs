using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>Generator → parser round trip for every report type of the reference schema.</summary>
public class ShadowserverAllReportsTests
{
    const int Rows = 300;
    static readonly NetPrefix[] s_pools = [NetPrefix.Parse("193.190.0.0/15"), NetPrefix.Parse("81.246.0.0/16"), NetPrefix.Parse("2001:6a8::/32")];
    static readonly DateOnly s_day = new(2026, 11, 30);

    /// <summary>Report types read straight from the JSON, independently of ShadowserverSchema.</summary>
    public static TheoryData<string> ReportTypes()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ShadowserverTestData.SchemaPath));
        var data = new TheoryData<string>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name != "_meta")
            {
                data.Add(p.Value.GetProperty("file_name").GetString()!);
            }
        }
        return data;
    }

    [Fact]
    public void ReportTypes_ReferenceSchema_Has170()
    {
        Assert.Equal(170, ReportTypes().Count);
        Assert.Equal(170, ShadowserverTestData.Schema.Reports.Count);
    }

    [Theory]
    [MemberData(nameof(ReportTypes))]
    public void GenerateThenParse_ReportType_AllRowsClassifiedAsSchemaSays(string reportType)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ShadowserverTestData.SchemaPath));
        var spec = FindByFileName(doc.RootElement, reportType);
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        var fileName = generator.FileNameFor(reportType, s_day);
        var w = new StringWriter();
        generator.Write(w, reportType, Rows, s_pools, s_day, seed: 42);

        var sink = ShadowserverTestData.Parse(w.ToString(), fileName);

        Assert.Equal($"2026-11-30-{reportType}-belgium-geo.csv", fileName);
        Assert.True(sink.Rejections.Count == 0, sink.Rejections.Count == 0 ? null : sink.Rejections[0].ToString());
        Assert.Equal(Rows, sink.Events.Count);
        var dayStart = new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc);
        foreach (var e in sink.Events)
        {
            Assert.Equal(spec.GetProperty("feed_name").GetString(), e.FeedName);
            foreach (var c in spec.GetProperty("constant_fields").EnumerateObject())
            {
                // IntelMQ's harmonisation lower-cases some fields (protocol.application "CouchDB" -> "couchdb").
                var expected = Fields.Known.TryGetValue(c.Name, out var type) && type == Fields.Type.Lower ? c.Value.GetString()!.ToLowerInvariant() : c.Value.GetString();
                Assert.Equal(expected, e.GetText(c.Name));
            }
            Assert.NotNull(e.ClassificationType);
            Assert.NotNull(e.GetText(Fields.ClassificationTaxonomy));
            foreach (var r in spec.GetProperty("required_fields").EnumerateArray())
            {
                Assert.True(e.Contains(r[0].GetString()!), $"{reportType}: required {r[0]} missing");
            }
            var t = e.TimeSource!.Value;
            Assert.True(t >= dayStart && t < dayStart.AddDays(1));
        }
    }

    [Fact]
    public void Write_SameSeed_SameOutput()
    {
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        var a = new StringWriter();
        var b = new StringWriter();
        var c = new StringWriter();
        generator.Write(a, "scan_http", 100, s_pools, s_day, 7);
        generator.Write(b, "scan_http", 100, s_pools, s_day, 7);
        generator.Write(c, "scan_http", 100, s_pools, s_day, 8);
        Assert.Equal(a.ToString(), b.ToString());
        Assert.NotEqual(a.ToString(), c.ToString());
    }

    [Fact]
    public void Write_ScanHttp_MostSourcesInPoolsSomeOutside()
    {
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        var w = new StringWriter();
        generator.Write(w, "scan_http", 2000, s_pools, s_day, 1);
        var sink = ShadowserverTestData.Parse(w.ToString(), "scan_http.csv");

        var inside = sink.Events.Count(e => s_pools.Any(p => p.Contains(e.SourceIp!.Value)));
        Assert.InRange(inside, 1500, 1900); // 85 % expected
        Assert.Contains(sink.Events, e => e.GetText("product.vulnerabilities")?.StartsWith("cve-", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Write_ScanExchange_WebshellRowsClassifiedAsCompromise()
    {
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        var w = new StringWriter();
        generator.Write(w, "scan_exchange", 500, s_pools, s_day, 3);
        var sink = ShadowserverTestData.Parse(w.ToString(), "scan_exchange.csv");

        Assert.Empty(sink.Rejections);
        foreach (var e in sink.Events)
        {
            var webshell = e.GetText("extra.tag") == "exchange;webshell";
            Assert.Equal(webshell ? "intrusions" : "vulnerable", e.GetText(Fields.ClassificationTaxonomy));
            Assert.Equal(webshell ? "system-compromise" : "vulnerable-system", e.ClassificationType);
            Assert.Equal(webshell ? "exchange-server-webshell" : "vulnerable-exchange-server", e.ClassificationIdentifier);
        }
        Assert.Contains(sink.Events, e => e.ClassificationType == "system-compromise");
    }

    static JsonElement FindByFileName(JsonElement root, string fileName)
    {
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name != "_meta" && p.Value.GetProperty("file_name").GetString() == fileName)
            {
                return p.Value;
            }
        }
        throw new InvalidOperationException(fileName);
    }
}
