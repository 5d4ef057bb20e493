using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class ThreatFoxParserTests
{
    // Invented IOCs in the layout of export/csv/recent (documentation addresses and names).
    const string Csv = """
        ################################################################
        # ThreatFox IOCs: recent                                       #
        # Last updated: 2024-03-01 12:00:11 UTC                        #
        #                                                              #
        # Terms Of Use: https://threatfox.abuse.ch/faq/#tos            #
        # For questions please contact threatfox [at] abuse.ch         #
        ################################################################
        #
        # "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"
        "2024-03-01 11:55:06", "1250001", "192.0.2.44:2404", "ip:port", "botnet_cc", "win.remcos", "RemcosRAT,Remvio,Socmer", "Remcos", "", "50", "None", "RemcosRAT", "0", "abuse_ch"
        "2024-03-01 11:50:00", "1250002", "https://cdn.example.org/load/payload.bin", "url", "payload_delivery", "win.cobalt_strike", "Agentemis,BEACON", "Cobalt Strike", "2024-03-01 11:59:00", "100", "https://example.org/report", "CobaltStrike", "0", "researcher1"
        "2024-03-01 11:45:00", "1250003", "bad-c2.example.com", "domain", "botnet_cc", "elf.mirai", "Katana", "Mirai", "", "75", "", "mirai", "1", "anonymous"
        "2024-03-01 11:40:00", "1250004", "44D88612FEA8A8F36DE82E1278ABB02F", "md5_hash", "payload", "unknown", "", "Unknown malware", "", "100", "", "", "0", "abuse_ch"
        "2024-03-01 11:35:00", "1250005", "192.0.2.300:80", "ip:port", "botnet_cc", "win.remcos", "", "Remcos", "", "50", "", "", "0", "abuse_ch"
        "2024-03-01 11:30:00", "1250006", "x", "email", "botnet_cc", "win.remcos", "", "Remcos", "", "50", "", "", "0", "abuse_ch"
        "2024-03-01 11:25:00", "1250007", "192.0.2.45:80"
        """;

    [Fact]
    public void Parse_Csv_IpPortIoc()
    {
        var sink = Run(new ThreatFoxParser(), Csv, "threatfox_recent.csv");

        Assert.Equal(4, sink.Events.Count);
        var e = sink.Events[0];
        AssertCommon(e, "ThreatFox", e.Raw!);
        Assert.StartsWith("\"2024-03-01 11:55:06\", \"1250001\"", e.Raw, StringComparison.Ordinal);
        Assert.Equal("192.0.2.44", Field(e, Fields.SourceIp));
        Assert.Equal(2404, e.GetInteger(Fields.SourcePort));
        Assert.Equal("c2-server", Field(e, Fields.ClassificationType));
        Assert.Equal("malicious-code", Field(e, Fields.ClassificationTaxonomy));
        Assert.Equal("remcos", Field(e, Fields.MalwareName));
        Assert.Equal("2024-03-01T11:55:06+00:00", Field(e, Fields.TimeSource));
        Assert.Equal(1250001, e.GetInteger("extra.ioc_id"));
        Assert.Equal("win.remcos", Field(e, "extra.malware"));
        Assert.Equal("RemcosRAT,Remvio,Socmer", Field(e, "extra.malware_alias"));
        Assert.Equal(50, e.GetInteger("extra.confidence_level"));
        Assert.Equal(0, e.GetInteger("extra.anonymous"));
        Assert.False(e.Contains("extra.reference")); // "None"
        Assert.False(e.Contains("extra.last_seen")); // ""
        Assert.Equal("https://threatfox.abuse.ch/export/csv/recent/", Field(e, Fields.FeedUrl));
    }

    [Fact]
    public void Parse_Csv_UrlDomainAndHashIocs()
    {
        var sink = Run(new ThreatFoxParser(), Csv);

        var url = sink.Events[1];
        Assert.Equal("https://cdn.example.org/load/payload.bin", Field(url, Fields.SourceUrl));
        Assert.Equal("cdn.example.org", Field(url, Fields.SourceFqdn));
        Assert.Equal("malware-distribution", Field(url, Fields.ClassificationType));
        Assert.Equal("cobalt strike", Field(url, Fields.MalwareName));
        Assert.Equal("2024-03-01 11:59:00", Field(url, "extra.last_seen"));
        Assert.Equal("https://example.org/report", Field(url, "extra.reference"));

        var domain = sink.Events[2];
        Assert.Equal("bad-c2.example.com", Field(domain, Fields.SourceFqdn));
        Assert.Equal("c2-server", Field(domain, Fields.ClassificationType));

        var hash = sink.Events[3];
        Assert.Equal("44d88612fea8a8f36de82e1278abb02f", Field(hash, "malware.hash.md5"));
        Assert.False(hash.Contains(Fields.MalwareName)); // "Unknown malware" names nothing
        Assert.False(hash.Contains(Fields.SourceIp));
    }

    [Fact]
    public void Parse_Csv_BadRowsRejected()
    {
        var sink = Run(new ThreatFoxParser(), Csv);

        Assert.Equal([14L, 15L, 16L], sink.Rejections.Select(r => r.Line));
        Assert.Contains("ip:port", sink.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("unsupported ioc_type 'email'", sink.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("expected 14 fields, found 3", sink.Rejections[2].Reason, StringComparison.Ordinal);
    }

    const string Json = """
        {
          "1250001": [
            {
              "ioc_value": "192.0.2.44:2404",
              "ioc_type": "ip:port",
              "threat_type": "botnet_cc",
              "malware": "win.remcos",
              "malware_alias": "RemcosRAT,Remvio,Socmer",
              "malware_printable": "Remcos",
              "first_seen_utc": "2024-03-01 11:55:06",
              "last_seen_utc": null,
              "confidence_level": 50,
              "reference": null,
              "tags": "RemcosRAT",
              "anonymous": "0",
              "reporter": "abuse_ch"
            }
          ],
          "1250008": "not an array",
          "1250009": [
            {
              "ioc_value": "payload.example.com",
              "ioc_type": "domain",
              "threat_type": "payload_delivery",
              "malware": "js.gootloader",
              "malware_printable": "GootLoader",
              "first_seen_utc": "2024-03-01 10:00:00",
              "confidence_level": 75,
              "tags": ["js", "loader"]
            }
          ],
          "1250010": [
            {
              "ioc_value": "0b3c6c4b0a2d7e6f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f",
              "ioc_type": "sha256_hash",
              "threat_type": "payload",
              "malware_printable": "AgentTesla",
              "first_seen_utc": "2024-03-01 09:00:00"
            }
          ]
        }
        """;

    [Fact]
    public void Parse_Json_ObjectKeyedByIdEachAnEvent()
    {
        var sink = Run(new ThreatFoxParser(), Json, "threatfox.json");

        Assert.Equal(3, sink.Events.Count);
        var e = sink.Events[0];
        Assert.Equal("192.0.2.44", Field(e, Fields.SourceIp));
        Assert.Equal(2404, e.GetInteger(Fields.SourcePort));
        Assert.Equal(1250001, e.GetInteger("extra.ioc_id"));
        Assert.Equal(50, e.GetInteger("extra.confidence_level"));
        Assert.Equal("remcos", Field(e, Fields.MalwareName));
        Assert.Equal("https://threatfox.abuse.ch/export/json/recent/", Field(e, Fields.FeedUrl));
        Assert.Contains("\"ioc_value\": \"192.0.2.44:2404\"", e.Raw, StringComparison.Ordinal);

        var d = sink.Events[1];
        Assert.Equal("payload.example.com", Field(d, Fields.SourceFqdn));
        Assert.Equal("malware-distribution", Field(d, Fields.ClassificationType));
        Assert.Equal("js,loader", Field(d, "extra.tags"));
        Assert.Equal(1250009, d.GetInteger("extra.ioc_id"));

        var h = sink.Events[2];
        Assert.Equal("0b3c6c4b0a2d7e6f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f", Field(h, "malware.hash.sha256"));
        Assert.Equal("agenttesla", Field(h, Fields.MalwareName));

        var r = Assert.Single(sink.Rejections);
        Assert.Equal(19, r.Line);
        Assert.Contains("1250008", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedJson_KeepsCompleteIocs()
    {
        var cut = Json[..Json.IndexOf("\"1250010\"", StringComparison.Ordinal)] + "\"1250010\": [ { \"ioc_value\": \"0b3c";

        var sink = Run(new ThreatFoxParser(), cut);

        Assert.Equal(2, sink.Events.Count);
        Assert.Contains(sink.Rejections, r => r.Reason.Contains("truncated", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("botnet_cc", "c2-server")]
    [InlineData("payload_delivery", "malware-distribution")]
    [InlineData("something_new", "undetermined")]
    [InlineData(null, "undetermined")]
    public void ClassificationOf_ThreatType_MapsToRsit(string? threatType, string expected) =>
        Assert.Equal(expected, ThreatFoxParser.ClassificationOf(threatType));
}
