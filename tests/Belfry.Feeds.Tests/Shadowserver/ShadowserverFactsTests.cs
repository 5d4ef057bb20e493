using System.Text;
using Belfry.Feeds.IntelMq;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// The Shadowserver facts built into Belfry against the intelmq.json Shadowserver publishes: the
/// shipped file is exactly what the generator makes of it, and it describes the same reports and
/// gives the same events.
/// </summary>
public class ShadowserverFactsTests
{
    static string Shipped()
    {
        using var s = typeof(ShadowserverFacts).Assembly.GetManifestResourceStream(ShadowserverFacts.ResourceName)!;
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    [Fact]
    public void Compile_ReferenceSchema_GivesTheShippedFile()
    {
        var compiled = ShadowserverFacts.Compile(File.ReadAllBytes(ShadowserverTestData.SchemaPath), "intelmq.json");

        Assert.Equal(Shipped(), compiled);
        // The file in the source tree is the one embedded (the build did not pick up a stale copy).
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var inTree = Path.Combine(dir.FullName, "src", "Belfry.Feeds", "Shadowserver", "shadowserver-facts.tsv");
            if (File.Exists(inTree))
            {
                Assert.Equal(compiled, File.ReadAllText(inTree));
                return;
            }
        }
        Assert.Fail("src/Belfry.Feeds/Shadowserver/shadowserver-facts.tsv not found above the test binaries");
    }

    [Fact]
    public void BuiltIn_EqualsTheLoadedSchema_ReportByReport()
    {
        var loaded = ShadowserverSchema.Load(ShadowserverTestData.SchemaPath);
        var builtIn = ShadowserverSchema.BuiltIn;

        Assert.Equal(170, loaded.Reports.Count);
        Assert.Equal(loaded.Created, builtIn.Created);
        Assert.Equal("2026-03-24T15:31:20Z", builtIn.Created);
        Assert.StartsWith("built-in (sha256 ", builtIn.Source, StringComparison.Ordinal);
        Assert.Equal(loaded.Reports.Select(r => r.Key), builtIn.Reports.Select(r => r.Key));
        foreach (var want in loaded.Reports)
        {
            var got = builtIn.GetReport(want.Key);
            Assert.Equal(want.Key, got.Key);
            Assert.Equal(want.FileName, got.FileName);
            Assert.Equal(want.FeedName, got.FeedName);
            Assert.Equal(want.Url, got.Url);
            Assert.Equal(want.ConstantFields, got.ConstantFields);
            Assert.Equal(want.Columns, got.Columns);
            AssertSameMappings(want.Key, want.RequiredFields, got.RequiredFields);
            AssertSameMappings(want.Key, want.OptionalFields, got.OptionalFields);
            Assert.Same(got, builtIn.GetReport(want.FileName));
        }
    }

    static void AssertSameMappings(string report, IReadOnlyList<ShadowserverFieldMapping> want, IReadOnlyList<ShadowserverFieldMapping> got)
    {
        Assert.Equal(want.Count, got.Count);
        for (var i = 0; i < want.Count; i++)
        {
            var (w, g) = (want[i], got[i]);
            var where = $"{report} mapping {i}";
            Assert.True(w.Field == g.Field && w.Column == g.Column && w.TargetField == g.TargetField, where);
            Assert.True(w.Conversion == g.Conversion && w.ConversionName == g.ConversionName, $"{where}: {w.ConversionName} / {g.ConversionName}");
            Assert.Equal(w.Arguments, g.Arguments);
        }
    }

    [Fact]
    public void BuiltIn_HasTheMappingArguments()
    {
        // compromised_website: ["source.url", "url", "convert_http_host_and_url", true] in intelmq.json.
        var m = ShadowserverSchema.BuiltIn.GetReport("compromised_website").OptionalFields.Concat(ShadowserverSchema.BuiltIn.GetReport("compromised_website").RequiredFields)
            .Single(f => f.Field == "source.url");
        Assert.Equal(ShadowserverConversion.ConvertHttpHostAndUrl, m.Conversion);
        Assert.Equal(["true"], m.Arguments);
        Assert.Null(ShadowserverSchema.BuiltIn.GetReport("special").Url);
    }

    public static TheoryData<string> Samples() => ShadowserverSampleTests.Samples();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Parse_SampleWithBuiltIn_SameEventsAsWithLoadedSchema(string file)
    {
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", file));
        var context = new FeedContext { FileName = file, ObservationTime = ShadowserverTestData.Observation };
        var withLoaded = new CollectingSink();
        var withBuiltIn = new CollectingSink();
        new ShadowserverParser(ShadowserverTestData.Schema).Parse(new StringReader(text), context, withLoaded);
        new ShadowserverParser(ShadowserverSchema.BuiltIn).Parse(new StringReader(text), context, withBuiltIn);

        Assert.NotEmpty(withLoaded.Events);
        Assert.Equal(withLoaded.Events.Select(IntelMqJsonWriter.ToJson), withBuiltIn.Events.Select(IntelMqJsonWriter.ToJson));
        Assert.Equal(withLoaded.Rejections, withBuiltIn.Rejections);
    }

    [Fact]
    public void WriteThenRead_KeepsEscapesAbsentValuesAndDashes()
    {
        const string json = """
            {"_meta": {"date_created": "2026-01-02T00:00:00Z"},
             "odd": {"file_name": "odd_file", "feed_name": "Odd\tFeed", "constant_fields": {"classification.type": "-", "x": "a\\b\nc"},
                     "required_fields": [["source.ip", "ip", "validate_ip"]],
                     "optional_fields": [["extra.", "tag"], ["extra.y", "y", "", "-", "two\targs"], ["extra.z", "z", null, "after null"]]}}
            """;
        var bytes = Encoding.UTF8.GetBytes(json);
        var text = ShadowserverFacts.Compile(bytes, "test.json");
        var s = ShadowserverFacts.Read(text, "test");
        var r = s.GetReport("odd_file");

        Assert.Equal("2026-01-02T00:00:00Z", s.Created);
        Assert.Equal("Odd\tFeed", r.FeedName);
        Assert.Null(r.Url);
        Assert.Equal([new("classification.type", "-"), new("x", "a\\b\nc")], r.ConstantFields);
        Assert.Null(r.OptionalFields[0].ConversionName);
        Assert.Equal("extra.tag", r.OptionalFields[0].TargetField);
        Assert.Equal(string.Empty, r.OptionalFields[1].ConversionName);
        Assert.Equal(["-", "two\targs"], r.OptionalFields[1].Arguments);
        Assert.Null(r.OptionalFields[2].ConversionName);
        Assert.Equal(["after null"], r.OptionalFields[2].Arguments);
        // One record per line: the tab and the line feed inside values are escaped.
        Assert.Contains("report\todd\todd_file\tOdd\\tFeed\t-\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("report\ta\tb\tc\t-\n")]
    [InlineData("belfry-shadowserver-facts\t2\n")]
    [InlineData("belfry-shadowserver-facts\t1\nreq\tsource.ip\tip\tvalidate_ip\n")]
    [InlineData("belfry-shadowserver-facts\t1\nreport\tonly-key\n")]
    [InlineData("belfry-shadowserver-facts\t1\nwhat\tever\n")]
    public void Read_NotAFactsFile_Throws(string text) =>
        Assert.Throws<FeedFormatException>(() => ShadowserverFacts.Read(text, "test"));
}
