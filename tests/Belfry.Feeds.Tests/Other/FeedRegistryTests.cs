using Belfry.Feeds.GenericCsv;

namespace Belfry.Feeds.Tests.Other;

public sealed class FeedRegistryTests
{
    static readonly FeedRegistry s_registry = new([
        .. FeedRegistry.BuiltInParsers(),
        new GenericCsvParser(new GenericCsvOptions { FeedName = "Sample CSV Feed", Columns = ["source.ip"], FileNameContains = "generic_csv" }),
    ]);

    static string Head(string sample)
    {
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "other", sample));
        return text.Length > 4096 ? text[..4096] : text;
    }

    [Theory]
    [InlineData("abusech_feodotracker.json", "abusech-feodotracker")]
    [InlineData("dshield_block.txt", "dshield-block")]
    [InlineData("openphish_feed.txt", "openphish")]
    [InlineData("spamhaus_drop.txt", "spamhaus-drop")]
    [InlineData("generic_csv_sample_report.csv", "csv:Sample CSV Feed")]
    public void Detect_SharedSampleWithItsName_FindsTheParser(string sample, string parser) =>
        Assert.Equal(parser, s_registry.Detect(new FeedProbe(sample, Head(sample))).Name);

    [Theory]
    [InlineData("abusech_feodotracker.json", "abusech-feodotracker")]
    [InlineData("dshield_block.txt", "dshield-block")]
    [InlineData("openphish_feed.txt", "openphish")]
    [InlineData("spamhaus_drop.txt", "spamhaus-drop")]
    public void Detect_SharedSampleContentOnly_FindsTheParser(string sample, string parser) =>
        Assert.Equal(parser, s_registry.Detect(new FeedProbe("upload.bin", Head(sample))).Name);

    [Theory]
    [InlineData("ipblocklist.json", "abusech-feodotracker")]
    [InlineData("ipblocklist_recommended.txt", "abusech-feodotracker-ips")]
    [InlineData("ipblocklist.csv", "abusech-feodotracker-csv")]
    [InlineData("urlhaus_csv_recent.txt", "abusech-urlhaus")]
    [InlineData("threatfox_recent.json", "abusech-threatfox")]
    [InlineData("drop.txt", "spamhaus-drop")]
    [InlineData("drop_v4.json", "spamhaus-drop")]
    [InlineData("edrop.txt", "spamhaus-edrop")]
    [InlineData("asndrop.json", "spamhaus-asndrop")]
    [InlineData("dshield_block.txt", "dshield-block")]
    [InlineData("events.intelmq.jsonl", "intelmq-jsonl")]
    public void Detect_FileNameOnly_FindsTheParser(string fileName, string parser) =>
        Assert.Equal(parser, s_registry.Detect(new FeedProbe(fileName, string.Empty)).Name);

    [Theory]
    [InlineData("; Spamhaus EDROP List 2024/01/15 - (c) 2024\n; Last-Modified: Mon, 15 Jan 2024 08:12:44 GMT\n198.51.100.0/24 ; SBL1\n", "spamhaus-edrop")]
    [InlineData("; Spamhaus ASN-DROP List 2024/01/15\nAS64496 ; NL | X\n", "spamhaus-asndrop")]
    [InlineData("{\"cidr\":\"192.0.2.0/24\",\"sblid\":\"SBL1\",\"rir\":\"arin\"}\n", "spamhaus-drop")]
    [InlineData("{\"asn\":64496,\"rir\":\"arin\",\"cc\":\"US\",\"asname\":\"X\"}\n", "spamhaus-asndrop")]
    [InlineData("# abuse.ch URLhaus Database Dump\n# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n", "abusech-urlhaus")]
    [InlineData("# ThreatFox IOCs: recent\n# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\"\n", "abusech-threatfox")]
    [InlineData("{\n \"1\": [ {\"ioc_value\": \"x\", \"ioc_type\": \"domain\", \"threat_type\": \"botnet_cc\"} ] }", "abusech-threatfox")]
    [InlineData("# abuse.ch Feodo Tracker Botnet C2 IP Blocklist\n192.0.2.1\n", "abusech-feodotracker-ips")]
    [InlineData("# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)\n# \"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n", "abusech-feodotracker-csv")]
    [InlineData("{\"classification.type\":\"scanner\",\"feed.name\":\"X\",\"source.ip\":\"192.0.2.1\"}\n", "intelmq-jsonl")]
    [InlineData("\uFEFFhttps://a.example.com/x\r\nhttp://b.example.org/y\r\nhttps://c.exa", "openphish")]
    public void Detect_ContentOnly_FindsTheParser(string head, string parser) =>
        Assert.Equal(parser, s_registry.Detect(new FeedProbe(null, head)).Name);

    [Fact]
    public void Detect_NameSaysOneFormatContentAnother_ContentWins()
    {
        // A DROP list saved under a Feodo Tracker file name.
        var head = "; Spamhaus DROP List 2015/09/14\n1.4.0.0/17 ; SBL256893\n";

        Assert.Equal("spamhaus-drop", s_registry.Detect(new FeedProbe("ipblocklist.txt", head)).Name);
    }

    [Fact]
    public void Detect_UnknownText_ThrowsListingTheKnownFormats()
    {
        var ex = Assert.Throws<FeedFormatException>(() => s_registry.Detect(new FeedProbe("notes.txt", "Dear team,\nplease find attached\n")));

        Assert.StartsWith("File 'notes.txt' matches no known feed format; expected one of: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Spamhaus DROP", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenPhish", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_BinaryGarbage_RefusedAsBinary()
    {
        var rng = new Random(23768213);
        var bytes = new byte[2048];
        rng.NextBytes(bytes);
        var head = System.Text.Encoding.UTF8.GetString(bytes);

        var ex = Assert.Throws<FeedFormatException>(() => s_registry.Detect(new FeedProbe("drop.txt", head)));

        Assert.Contains("'drop.txt' is binary data", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("feodotracker", "abusech-feodotracker")]
    [InlineData("FEODOTRACKER", "abusech-feodotracker")]
    [InlineData("spamhaus-drop", "spamhaus-drop")]
    [InlineData("Spamhaus_EDROP", "spamhaus-edrop")]
    [InlineData("asn-drop", "spamhaus-asndrop")]
    [InlineData("feodotracker-csv", "abusech-feodotracker-csv")]
    [InlineData("urlhaus", "abusech-urlhaus")]
    [InlineData("threatfox", "abusech-threatfox")]
    [InlineData("dshield", "dshield-block")]
    [InlineData("OpenPhish", "openphish")]
    [InlineData("intelmq", "intelmq-jsonl")]
    [InlineData("csv:Sample CSV Feed", "csv:Sample CSV Feed")]
    public void Get_NameOrAlias_CaseInsensitive(string name, string parser) =>
        Assert.Equal(parser, s_registry.Get(name).Name);

    [Fact]
    public void Get_Unknown_ThrowsListingNames()
    {
        var ex = Assert.Throws<FeedFormatException>(() => s_registry.Get("nope"));

        Assert.Contains("spamhaus-asndrop", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_AllParsersOnce()
    {
        Assert.Equal(12, s_registry.Names.Count);
        Assert.Equal(s_registry.Names.Count, s_registry.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Constructor_DuplicateNames_Throws() =>
        Assert.Throws<ArgumentException>(() => new FeedRegistry([new OpenPhish.OpenPhishParser(), new OpenPhish.OpenPhishParser()]));
}
