using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using Belfry.Feeds.GenericCsv;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class FeodoTrackerCsvParserTests
{
    const string Banner = """
        ################################################################
        # abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #
        # Last updated: 2024-02-10 11:16:32 UTC                        #
        #                                                              #
        # Terms of Use: https://feodotracker.abuse.ch/blocklist/       #
        ################################################################
        #
        # "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"

        """;

    const string List = Banner + """
        "2024-01-02 03:04:05","192.0.2.10","443","online","2024-02-10","QakBot"
        "2023-11-30 22:00:01","198.51.100.11","8080","offline","","Emotet"
        "","2001:db8::12","995","offline","2024-01-20","Pikabot"
        # Number of entries: 3
        """;

    /// <summary>The entries of <see cref="List"/> as ipblocklist.json has them, with the fields only JSON carries.</summary>
    const string Json = """
        [
          {"ip_address": "192.0.2.10", "port": 443, "status": "online", "hostname": "c2.example.net", "as_number": 64496, "as_name": "EXAMPLE-AS", "country": "NL", "first_seen": "2024-01-02 03:04:05", "last_online": "2024-02-10", "malware": "QakBot"},
          {"ip_address": "198.51.100.11", "port": 8080, "status": "offline", "hostname": null, "as_number": 64497, "as_name": "OTHER-AS", "country": "DE", "first_seen": "2023-11-30 22:00:01", "last_online": null, "malware": "Emotet"},
          {"ip_address": "2001:db8::12", "port": 995, "status": "offline", "hostname": null, "as_number": 64498, "as_name": "V6-AS", "country": "FR", "first_seen": null, "last_online": "2024-01-20", "malware": "Pikabot"}
        ]
        """;

    static readonly string[] s_onlyInJson = [Fields.SourceReverseDns, Fields.SourceAsn, Fields.SourceAsName, Fields.SourceCc];

    static readonly FeedRegistry s_registry = new([
        .. FeedRegistry.BuiltInParsers(),
        new GenericCsvParser(new GenericCsvOptions { FeedName = "Sample CSV Feed", Columns = ["source.ip"], FileNameContains = "generic_csv" }),
    ]);

    [Fact]
    public void Parse_List_OneC2EventPerRow()
    {
        var sink = Run(new FeodoTrackerCsvParser(), List, "ipblocklist.csv");

        Assert.Empty(sink.Rejections);
        Assert.Equal(["192.0.2.10", "198.51.100.11", "2001:db8::12"], sink.Events.Select(e => Field(e, Fields.SourceIp)));
        var e = sink.Events[0];
        AssertCommon(e, "Feodo Tracker", "\"2024-01-02 03:04:05\",\"192.0.2.10\",\"443\",\"online\",\"2024-02-10\",\"QakBot\"");
        Assert.Equal("Abuse.ch", Field(e, Fields.FeedProvider));
        Assert.Equal("https://feodotracker.abuse.ch/downloads/ipblocklist.csv", Field(e, Fields.FeedUrl));
        Assert.Equal("malicious-code", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal("c2-server", Field(e, Fields.ClassificationType));
        Assert.Equal("443", Field(e, Fields.SourcePort));
        Assert.True(e.TryGet(Fields.SourcePort, out var port) && port.Kind == FieldKind.Integer);
        Assert.Equal("2024-01-02T03:04:05+00:00", Field(e, Fields.TimeSource));
        Assert.Equal("online", Field(e, "status"));
        Assert.Equal("qakbot", Field(e, Fields.MalwareName));
        Assert.Equal("2024-02-10", Field(e, "extra.last_online"));
        Assert.Equal(Tlp.Amber, e.Tlp);
    }

    [Fact]
    public void Parse_EmptyCells_LeftOutOrReplacedAsInJson()
    {
        var sink = Run(new FeodoTrackerCsvParser(), List);

        Assert.False(sink.Events[1].TryGet("extra.last_online", out _));
        // No first seen: the last online day is the source time, as IntelMQ does for the JSON.
        Assert.Equal("2024-01-20T00:00:00+00:00", Field(sink.Events[2], Fields.TimeSource));
    }

    [Fact]
    public void Parse_SameEntriesAsJson_SameFieldsButTheJsonOnlyOnes()
    {
        var csv = Run(new FeodoTrackerCsvParser(), List, "ipblocklist.csv").Events;
        var json = Run(new FeodoTrackerJsonParser(), Json, "ipblocklist.json").Events;

        Assert.Equal(3, csv.Count);
        Assert.Equal(json.Count, csv.Count);
        for (var i = 0; i < csv.Count; i++)
        {
            var (c, j) = (csv[i], json[i]);
            Assert.Equal(j.Tlp, c.Tlp);
            foreach (var (name, value) in j.Items)
            {
                if (name == Fields.FeedUrl || s_onlyInJson.Contains(name))
                {
                    continue;
                }
                Assert.True(c.TryGet(name, out var mine), $"entry {i}: missing {name} (JSON has {value})");
                Assert.True(value == mine, $"entry {i}: {name} is {mine} from CSV, {value} from JSON");
            }
            foreach (var (name, _) in c.Items)
            {
                Assert.True(j.TryGet(name, out _), $"entry {i}: {name} only from CSV");
            }
            Assert.Equal("https://feodotracker.abuse.ch/downloads/ipblocklist.json", Field(j, Fields.FeedUrl));
            Assert.Equal("https://feodotracker.abuse.ch/downloads/ipblocklist.csv", Field(c, Fields.FeedUrl));
        }
    }

    [Fact]
    public void Parse_RecommendedList_RecommendedUrl()
    {
        var sink = Run(new FeodoTrackerCsvParser(), List, "ipblocklist_recommended.csv");

        Assert.All(sink.Events, e => Assert.Equal("https://feodotracker.abuse.ch/downloads/ipblocklist_recommended.csv", Field(e, Fields.FeedUrl)));
    }

    [Fact]
    public void Parse_TlpFromContext()
    {
        var sink = Run(new FeodoTrackerCsvParser(), List, tlp: Tlp.Green);

        Assert.All(sink.Events, e => Assert.Equal(Tlp.Green, e.Tlp));
    }

    [Fact]
    public void Parse_BadRows_RejectedWithLineAndReasonRestKept()
    {
        // Line 9 is the first row after the banner.
        const string rows = """
            "2024-01-02 03:04:05","192.0.2.20","443","online","2024-02-10","QakBot"
            "2024-01-02 03:04:05","192.0.2.999","443","online","2024-02-10","QakBot"
            "2024-01-02 03:04:05","192.0.2.21","70000","online","2024-02-10","QakBot"
            "2024-01-02 03:04:05","192.0.2.22","https","online","2024-02-10","QakBot"
            "2024-13-02 03:04:05","192.0.2.23","443","online","2024-02-10","QakBot"
            "","192.0.2.24","443","online","someday","QakBot"
            "2024-01-02 03:04:05","192.0.2.25","443","online","2024-02-10"
            "2024-01-02 03:04:05","192.0.2.26","443","online","2024-02-10","QakBot","extra"
            "2024-01-02 03:04:05","192.0.2.27","443","online","2024-02-10","QakBot
            "2024-01-02 03:04:05","192.0.2.28"x,"443","online","2024-02-10","QakBot"
            "2024-01-02 03:04:05","","443","online","2024-02-10","QakBot"
            "2024-01-02 03:04:06","192.0.2.29","8443","online","2024-02-10","Emotet"
            # Number of entries: 12
            """;

        var sink = Run(new FeodoTrackerCsvParser(), Banner + rows);

        Assert.Equal(["192.0.2.20", "192.0.2.29"], sink.Events.Select(e => Field(e, Fields.SourceIp)));
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), sink.Rejections.Select(r => r.Line));
        Assert.All(sink.Rejections, r => Assert.Equal("Feodo Tracker", r.Feed));
        Assert.Equal(rows.Split('\n')[1], sink.Rejections[0].Raw);
        string[] reasons =
        [
            "dst_ip: invalid source.ip",
            "dst_port: invalid source.port",
            "dst_port: invalid source.port",
            "first_seen_utc: invalid time.source",
            "last_online: invalid time.source",
            "expected 6 fields, found 5",
            "expected 6 fields, found 7",
            "unterminated quoted field 6",
            "text after the closing quote of field 2",
            "dst_ip empty",
        ];
        for (var i = 0; i < reasons.Length; i++)
        {
            Assert.StartsWith(reasons[i], sink.Rejections[i].Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_ColumnsInAnotherOrder_FoundByTheHeader()
    {
        const string input = """
            # abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)
            # dst_ip,dst_port,malware,first_seen_utc
            192.0.2.40,447,Dridex,2024-03-04 05:06:07
            """;

        var sink = Run(new FeodoTrackerCsvParser(), input);

        var e = Assert.Single(sink.Events);
        Assert.Empty(sink.Rejections);
        Assert.Equal("192.0.2.40", Field(e, Fields.SourceIp));
        Assert.Equal("447", Field(e, Fields.SourcePort));
        Assert.Equal("dridex", Field(e, Fields.MalwareName));
        Assert.Equal("2024-03-04T05:06:07+00:00", Field(e, Fields.TimeSource));
        Assert.False(e.TryGet("status", out _));
    }

    [Fact]
    public void Parse_NoHeader_CurrentColumnOrder()
    {
        var sink = Run(new FeodoTrackerCsvParser(), "\"2024-01-02 03:04:05\",\"192.0.2.41\",\"443\",\"online\",\"2024-02-10\",\"QakBot\"\n");

        var e = Assert.Single(sink.Events);
        Assert.Equal("192.0.2.41", Field(e, Fields.SourceIp));
        Assert.Equal("qakbot", Field(e, Fields.MalwareName));
    }

    [Fact]
    public void Parse_OnlyComments_NoEventsNoRejections()
    {
        var sink = Run(new FeodoTrackerCsvParser(), Banner + "# Number of entries: 0\n");

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejections);
    }

    [Fact]
    public void Parse_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            new FeodoTrackerCsvParser().Parse(new StringReader(List), Context(), new CollectingSink(), cts.Token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("upload.bin")]
    [InlineData("ipblocklist.csv")]
    [InlineData("ipblocklist_recommended.csv")]
    [InlineData("ipblocklist.txt")]
    public void Detect_CsvList_FindsTheCsvParser(string? fileName) =>
        Assert.Equal(FeodoTrackerCsvParser.ParserName, s_registry.Detect(new FeedProbe(fileName, List)).Name);

    [Theory]
    [InlineData("ipblocklist.csv")]
    [InlineData("ipblocklist_recommended.csv")]
    public void Detect_FileNameOnly_FindsTheCsvParser(string fileName) =>
        Assert.Equal(FeodoTrackerCsvParser.ParserName, s_registry.Detect(new FeedProbe(fileName, string.Empty)).Name);

    [Theory]
    [InlineData("# abuse.ch Feodo Tracker Botnet C2 IP Blocklist\n# DstIP\n192.0.2.1\n", "abusech-feodotracker-ips")]
    [InlineData("# ThreatFox IOCs: recent\n# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\"\n", "abusech-threatfox")]
    [InlineData("# abuse.ch URLhaus Database Dump\n# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n", "abusech-urlhaus")]
    [InlineData("[{\"ip_address\": \"192.0.2.1\", \"port\": 443}]", "abusech-feodotracker")]
    public void Detect_OtherAbuseChFormats_NotTakenForTheCsv(string head, string parser)
    {
        Assert.Equal(parser, s_registry.Detect(new FeedProbe(null, head)).Name);
        Assert.False(new FeodoTrackerCsvParser().CanParse(new FeedProbe(null, head)));
    }

    [Fact]
    public void Detect_TextListSavedAsCsv_ContentWins() =>
        Assert.Equal(
            FeodoTrackerTextParser.ParserName,
            s_registry.Detect(new FeedProbe("ipblocklist.csv", "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist\n192.0.2.1\n")).Name);

    [Fact]
    public void Detect_ColumnNamesOutsideAComment_NotTheCsv() =>
        Assert.False(new FeodoTrackerCsvParser().CanParse(new FeedProbe(null, "first_seen_utc,dst_ip,dst_port\n2024-01-02 03:04:05,192.0.2.1,443\n")));

    [Theory]
    [InlineData("feodotracker-csv")]
    [InlineData("feodo-csv")]
    [InlineData("abusech_feodotracker_csv")]
    public void Get_Alias_FindsTheCsvParser(string name) =>
        Assert.Equal(FeodoTrackerCsvParser.ParserName, s_registry.Get(name).Name);
}
