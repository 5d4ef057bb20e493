using System.Text.Json;

namespace Belfry.Cli.Tests;

public sealed class CliTests : IDisposable
{
    readonly Belfry _belfry = new();

    public void Dispose() => _belfry.Dispose();

    // Enterprise numbers with check digits computed independently (python: 97 - body % 97).
    // 02030000 -> 16, 03000000 -> 16 (3000000 % 97 = 81).
    const string Hospital = "0203000016";
    const string Town = "0300000016";

    string WriteConstituency()
    {
        var path = Path.Combine(_belfry.DataFolder, "orgs.csv");
        File.WriteAllText(path, $"""
            id,name,sector,entity_class,language,contacts,prefixes,asns,domains
            {Hospital},Example Hospital,health,essential,fr,csirt@hospital.example:security,75.74.78.0/24 2001:db8:1::/48,64500,hospital.example
            {Town},Example Town,public-administration,important,nl,it@town.example,88.162.0.0/16,,town.example
            0203000017,Bad Check Digits,health,essential,fr,x@y.example,192.0.2.0/24,,
            """);
        return path;
    }

    [Fact]
    public void OrgsImport_BadRow_ReportedWithLineAndRestImported()
    {
        var r = _belfry.Run("orgs", "import", WriteConstituency());

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Imported 2 organisation(s); rejected 1.", r.Out, StringComparison.Ordinal);
        Assert.Contains("orgs.csv:4: invalid enterprise number '0203000017'", r.Err, StringComparison.Ordinal);
        var list = JsonDocument.Parse(_belfry.Run("orgs", "list", "--json").Out).RootElement;
        Assert.Equal([Hospital, Town], list.EnumerateArray().Select(o => o.GetProperty("id").GetString()));
        Assert.Equal("fr", list[0].GetProperty("language").GetString());
    }

    [Fact]
    public void Ingest_SharedSamples_SummaryCountsOrganisationsAndReingestStoresNothing()
    {
        _belfry.Run("orgs", "import", WriteConstituency());
        var samples = SharedFiles.Path("samples", "feeds", "shadowserver");

        var first = _belfry.Run("ingest", "--json", samples);
        var second = _belfry.Run("ingest", "--json", samples);

        Assert.Equal(0, first.ExitCode);
        var s1 = JsonDocument.Parse(first.Out).RootElement;
        var s2 = JsonDocument.Parse(second.Out).RootElement;
        // 75.74.78.113 (scan_http row 1) is in the hospital's /24; 88.162.174.130 (row 2) in the town's /16.
        Assert.Equal(1, s1.GetProperty("events_per_organisation").GetProperty(Hospital).GetInt64());
        Assert.True(s1.GetProperty("events_per_organisation").GetProperty(Town).GetInt64() >= 1);
        Assert.True(s1.GetProperty("stored").GetInt64() > 100);
        Assert.Equal(0, s2.GetProperty("stored").GetInt64());
        Assert.Equal(s1.GetProperty("stored").GetInt64(), s2.GetProperty("already_stored").GetInt64());
    }

    [Fact]
    public void EventsExport_OrgFilter_OnlyThatOrganisationsEventsAsIntelMqJson()
    {
        _belfry.Run("orgs", "import", WriteConstituency());
        _belfry.Run("ingest", SharedFiles.Path("samples", "feeds", "shadowserver", "scan_http.csv"));

        var all = _belfry.Run("events", "export", "--format", "intelmq-jsonl");
        var hospital = _belfry.Run("events", "export", "--format", "intelmq-jsonl", "--org", "0203.000.016");

        var allLines = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(hospital.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, allLines.Length);
        var e = JsonDocument.Parse(line).RootElement;
        Assert.Equal("75.74.78.113", e.GetProperty("source.ip").GetString());
        Assert.Equal(8080, e.GetProperty("source.port").GetInt32());
        Assert.Equal("Accessible-HTTP", e.GetProperty("feed.name").GetString());
        Assert.Equal("2018-04-19T00:02:26+00:00", e.GetProperty("time.source").GetString());
        Assert.Equal(Hospital, e.GetProperty("extra.organisation").GetString());
    }

    [Fact]
    public void Ingest_UnknownFormat_RefusedNamingTheFile()
    {
        var path = Path.Combine(_belfry.DataFolder, "mystery.bin");
        File.WriteAllBytes(path, [0x50, 0x4B, 0x03, 0x04, 0x00, 0xFF, 0x10, 0x00, 0x00, 0x01]);

        var r = _belfry.Run("ingest", path);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mystery.bin", r.Err, StringComparison.Ordinal);
        Assert.Contains("refused", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_BadRows_QuarantinedWithLineAndReasonValidRowsKept()
    {
        var path = Path.Combine(_belfry.DataFolder, "2026-11-30-scan_http-belgium-geo.csv");
        File.WriteAllText(path, """
            "timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city"
            "2026-11-30 01:00:00","192.0.2.10","tcp",80,,"http",64500,"BE",,
            "2026-11-30 01:00:01","192.0.2.999","tcp",80,,"http",64500,"BE",,
            "2026-13-30 01:00:02","192.0.2.11","tcp",80,,"http",64500,"BE",,
            "2026-11-30 01:00:03","192.0.2.12","tcp",80,,"http",64500,"BE",,
            """);

        var summary = JsonDocument.Parse(_belfry.Run("ingest", "--json", path).Out).RootElement;
        var quarantine = _belfry.Run("quarantine", "list", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(2, summary.GetProperty("stored").GetInt64());
        Assert.Equal(2, summary.GetProperty("quarantined").GetInt64());
        Assert.Equal([3L, 4L], quarantine.Select(q => q.GetProperty("line").GetInt64()));
        Assert.Contains("192.0.2.999", quarantine[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("2026-13-30", quarantine[1].GetProperty("raw").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_RunsEndToEnd_OneDigestPerOrganisationInItsLanguage()
    {
        var r = _belfry.Run("demo", "--quiet", "--day", "2026-11-30");

        Assert.Equal(0, r.ExitCode);
        var outbox = Directory.GetFiles(Path.Combine(_belfry.DataFolder, "outbox"), "*.eml");
        Assert.Equal(14, outbox.Length);
        // One subject per language of the demo constituency, in that language.
        Assert.Contains("Cyberdreigingsmelding", r.Out, StringComparison.Ordinal);
        Assert.Contains("Alerte de cybermenace", r.Out, StringComparison.Ordinal);
        Assert.Contains("Cyberbedrohungswarnung", r.Out, StringComparison.Ordinal);
        Assert.Contains("Cyber threat alert", r.Out, StringComparison.Ordinal);

        // Nothing new: a second notify run sends nothing.
        var again = _belfry.Run("notify", "run", "--json");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("\"outcome\":\"sent\"", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_GenericCsvWithMapping_UsesTheColumnMapping()
    {
        // The shared sample is a tab-separated report with comment lines; the mapping names its columns.
        var mapping = Path.Combine(_belfry.DataFolder, "mapping.json");
        File.WriteAllText(mapping, """
            { "feedName": "Partner CSV", "delimiter": "\t", "classificationType": "malware-distribution",
              "columns": ["time.source", "__IGNORE__", "event_description.text", "__IGNORE__", "__IGNORE__", "source.url", "source.ip", "source.fqdn", "comment"] }
            """);

        var r = _belfry.Run("ingest", "--json", "--mapping", mapping, SharedFiles.Path("samples", "feeds", "other", "generic_csv_sample_report.csv"));
        var export = _belfry.Run("events", "export").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["198.105.221.5", "198.105.221.161"], export.Select(e => e.GetProperty("source.ip").GetString()));
        Assert.All(export, e => Assert.Equal("Partner CSV", e.GetProperty("feed.name").GetString()));
        Assert.All(export, e => Assert.Equal("malware-distribution", e.GetProperty("classification.type").GetString()));
        Assert.Equal("2015-12-14T04:19:00+00:00", export[0].GetProperty("time.source").GetString());
    }

    [Fact]
    public void Up_FeedFileDroppedInInbox_IngestedAndMovedToProcessed()
    {
        _belfry.Run("orgs", "import", WriteConstituency());
        var inbox = Directory.CreateDirectory(Path.Combine(_belfry.DataFolder, "inbox")).FullName;
        File.Copy(SharedFiles.Path("samples", "feeds", "shadowserver", "scan_http.csv"), Path.Combine(inbox, "scan_http.csv"));
        File.WriteAllText(Path.Combine(inbox, "notes.bin"), "\u0000\u0001 not a feed");

        var r = _belfry.Run("up", "--seconds", "4", "--poll", "0.5", "--no-flows");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("inbox: 2 file(s), 2 events, 2 new, 0 quarantined", r.Out, StringComparison.Ordinal);
        Assert.Contains("refused notes.bin", r.Err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(inbox));
        Assert.Single(Directory.GetFiles(Path.Combine(inbox, "processed"), "scan_http.csv", SearchOption.AllDirectories));
        Assert.Single(Directory.GetFiles(Path.Combine(inbox, "refused"), "notes.bin"));
        Assert.Equal(2, _belfry.Run("events", "export").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
