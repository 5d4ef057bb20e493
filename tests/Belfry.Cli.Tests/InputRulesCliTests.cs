using System.Text.Json;

namespace Belfry.Cli.Tests;

/// <summary>Input rules through the real program: bad rows kept apart, mostly bad files flagged, TLP only raised, organisations decided by the constituency.</summary>
public sealed class InputRulesCliTests : IDisposable
{
    readonly Belfry _belfry = new();
    readonly string _empty = Path.Combine("/tmp", "belfry-input-" + Guid.NewGuid().ToString("N"));

    public InputRulesCliTests() => Directory.CreateDirectory(_empty);

    public void Dispose()
    {
        _belfry.Dispose();
        try
        {
            Directory.Delete(_empty, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Ingest_ThousandValidRowsAndOneBinaryRowNearTheTop_ThousandStoredOneQuarantined()
    {
        var file = _belfry.RunIn(_empty, "feeds", "generate", "--type", "scan_http", "--rows", "1000", "--out", _empty).Out.Trim();
        var lines = File.ReadAllLines(file).ToList();
        var binary = new string([.. Enumerable.Range(0, 256).Select(i => (char)(i % 32 is 10 or 13 ? 0 : i % 32))]);
        lines.Insert(3, binary);
        File.WriteAllText(file, string.Join('\n', lines) + "\n");

        var r = _belfry.RunIn(_empty, "ingest", "--json", file);
        var quarantine = _belfry.Run("quarantine", "list", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.True(r.ExitCode == 0, r.Err);
        var s = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(1000, s.GetProperty("parsed").GetInt64());
        // The generator repeats a row now and then, as Shadowserver does: the deduplicator drops those.
        var duplicates = s.GetProperty("expert_dropped").EnumerateObject().Sum(p => p.Value.GetInt64());
        Assert.Equal(1000, s.GetProperty("stored").GetInt64() + s.GetProperty("already_stored").GetInt64() + duplicates);
        Assert.Equal(1, s.GetProperty("quarantined").GetInt64());
        Assert.Equal(0, s.GetProperty("refused_files").GetArrayLength());
        Assert.Equal(0, s.GetProperty("warnings").GetArrayLength());
        var q = JsonDocument.Parse(Assert.Single(quarantine)).RootElement;
        Assert.Equal(4, q.GetProperty("line").GetInt64());
        Assert.StartsWith("control characters in the record", q.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_FileMostlyBadRows_GoodRowsStoredAndTheFileFlagged()
    {
        var file = _belfry.RunIn(_empty, "feeds", "generate", "--type", "scan_http", "--rows", "7", "--out", _empty).Out.Trim();
        var lines = File.ReadAllLines(file).ToList();
        lines.AddRange(Enumerable.Range(0, 93).Select(i => $"\"2026-11-30 01:00:00\",\"not an address {i}\""));
        File.WriteAllLines(file, lines);

        var json = _belfry.RunIn(_empty, "ingest", "--json", file);
        var text = _belfry.RunIn(_empty, "ingest", file);

        var s = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(7, s.GetProperty("parsed").GetInt64());
        Assert.Equal(93, s.GetProperty("quarantined").GetInt64());
        var warning = Assert.Single(s.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Equal($"file {Path.GetFileName(file)}: 93% of rows rejected (93 of 100); the 7 good rows are kept, the rest is in quarantine", warning);
        Assert.Contains($"warning: {warning}", text.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_GzippedShadowserverFile_ReadThroughTheBoundedDecompressor()
    {
        var file = _belfry.RunIn(_empty, "feeds", "generate", "--type", "scan_http", "--rows", "200", "--out", _empty).Out.Trim();
        using (var input = File.OpenRead(file))
        using (var gz = new System.IO.Compression.GZipStream(File.Create(file + ".gz"), System.IO.Compression.CompressionLevel.Fastest))
        {
            input.CopyTo(gz);
        }
        File.Delete(file);

        var r = _belfry.RunIn(_empty, "ingest", "--json", file + ".gz");

        Assert.True(r.ExitCode == 0, r.Err);
        var s = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(200, s.GetProperty("parsed").GetInt64());
        Assert.Equal(0, s.GetProperty("refused_files").GetArrayLength());
        Assert.Contains("Accessible-HTTP", s.GetProperty("events_per_feed").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Ingest_IntelMqJsonClaimingALowerTlpAndAnOwner_TlpOfTheCommandLineAndTheConstituencysOrganisation()
    {
        // Enterprise number 0203000016 (check digits 97 - 2030000 % 97); the input names another owner for both events.
        var orgs = Path.Combine(_empty, "orgs.csv");
        File.WriteAllText(orgs, """
            id,name,sector,entity_class,language,contacts,prefixes,asns,domains
            0203000016,Example Hospital,health,essential,fr,csirt@hospital.example:security,75.74.78.0/24,,hospital.example
            """);
        Assert.Equal(0, _belfry.Run("orgs", "import", orgs).ExitCode);
        var input = Path.Combine(_empty, "export-intelmq.jsonl");
        File.WriteAllText(input, """
            {"feed.name":"Partner","classification.type":"scanner","tlp":"CLEAR","extra.organisation":"0300000016","source.ip":"75.74.78.9"}
            {"feed.name":"Partner","classification.type":"scanner","tlp":"CLEAR","extra.organisation":"0203000016","source.ip":"192.0.2.9"}
            """ + "\n");

        var r = _belfry.Run("ingest", "--tlp", "RED", input);
        var amberReader = _belfry.Run("events", "export").Out; // a reader cleared for AMBER sees none of them
        var events = _belfry.Run("events", "export", "--tlp", "RED").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).OrderBy(e => e.GetProperty("source.ip").GetString(), StringComparer.Ordinal).ToList();

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(string.Empty, amberReader.Trim());
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("RED", e.GetProperty("tlp").GetString()));
        Assert.False(events[0].TryGetProperty("extra.organisation", out _)); // 192.0.2.9: nobody's, whatever the input said
        Assert.Equal("0203000016", events[1].GetProperty("extra.organisation").GetString());
    }
}
