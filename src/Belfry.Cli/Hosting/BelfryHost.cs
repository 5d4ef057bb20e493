using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Enrichment;
using Belfry.Feeds;
using Belfry.Feeds.Shadowserver;
using Belfry.Storage.Sqlite;

namespace Belfry.Cli.Hosting;

/// <summary>
/// Wires the parts for one command on the embedded defaults: the data folder, its SQLite store,
/// the feed registry and the expert chain. Commands ask it for what they need.
/// </summary>
public sealed class BelfryHost : IAsyncDisposable
{
    public const string DataEnvironmentVariable = "BELFRY_DATA";
    public const string DefaultDataFolder = "belfry-data";

    BelfryHost(string dataFolder, BelfryConfig config, SqliteStore store)
    {
        DataFolder = dataFolder;
        Config = config;
        Store = store;
    }

    public string DataFolder { get; }
    public BelfryConfig Config { get; }
    public SqliteStore Store { get; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public string OutboxFolder => Path.Combine(DataFolder, "outbox");

    public static string ResolveDataFolder(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable(DataEnvironmentVariable) ?? DefaultDataFolder);

    public static async Task<BelfryHost> OpenAsync(string? dataOption, CancellationToken ct)
    {
        var folder = ResolveDataFolder(dataOption);
        Directory.CreateDirectory(folder);
        var config = BelfryConfig.Load(folder);
        var store = new SqliteStore(Path.Combine(folder, "belfry.db"));
        await store.InitializeAsync(ct);
        return new BelfryHost(folder, config, store);
    }

    /// <summary>Where `belfry feeds update-schema` keeps a newer Shadowserver schema.</summary>
    public string InstalledShadowserverSchema => Path.Combine(DataFolder, "shadowserver", "intelmq.json");

    /// <summary>
    /// Shadowserver's schema file, when there is one: the copy in the data folder (written by
    /// `belfry feeds update-schema`, so newer than the built-in facts), then `shadowserver_schema`
    /// in belfry.json. Null: the facts built into Belfry are used.
    /// </summary>
    public string? FindShadowserverSchema()
    {
        if (File.Exists(InstalledShadowserverSchema))
        {
            return InstalledShadowserverSchema;
        }
        if (Config.ShadowserverSchema is { } configured)
        {
            var path = Path.GetFullPath(configured, DataFolder);
            return File.Exists(path)
                ? path
                : throw new CliException($"shadowserver_schema in belfry.json: {path} does not exist.");
        }
        return null;
    }

    /// <summary>Folder of generic CSV feed mappings (one JSON file each), loaded with the built-in parsers.</summary>
    public string MappingsFolder => Path.Combine(DataFolder, "feeds.d");

    public FeedRegistry CreateRegistry(IReadOnlyList<string>? extraMappings = null)
    {
        var schema = LoadShadowserverSchema();
        var parsers = new List<IFeedParser>();
        // Explicit mappings first, then Shadowserver: its CSV reports are the bulk of a national centre's daily input.
        var mappings = (extraMappings ?? []).Concat(Directory.Exists(MappingsFolder) ? Directory.EnumerateFiles(MappingsFolder, "*.json").Order(StringComparer.Ordinal) : []);
        foreach (var m in mappings)
        {
            try
            {
                parsers.Add(new Belfry.Feeds.GenericCsv.GenericCsvParser(Belfry.Feeds.GenericCsv.GenericCsvOptions.Load(m)));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                throw new CliException($"{m}: not a usable CSV feed mapping: {ex.Message}");
            }
        }
        parsers.Add(new ShadowserverParser(schema));
        parsers.AddRange(FeedRegistry.BuiltInParsers());
        return new FeedRegistry(parsers);
    }

    /// <summary>The Shadowserver schema in the order of <see cref="FindShadowserverSchema"/>, else the built-in facts.</summary>
    public ShadowserverSchema LoadShadowserverSchema()
    {
        if (FindShadowserverSchema() is not { } path)
        {
            return ShadowserverSchema.BuiltIn;
        }
        try
        {
            return ShadowserverSchema.Load(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FeedFormatException)
        {
            throw new CliException($"Shadowserver schema {path}: {ex.Message} (remove it, or install another with `belfry feeds update-schema FILE|URL`)");
        }
    }

    /// <summary>The expert chain in pipeline order: AS numbers first, since the constituency falls back on them.</summary>
    public async Task<List<IEventExpert>> CreateExpertsAsync(CancellationToken ct)
    {
        var experts = new List<IEventExpert>();
        if (Config.AsnMmdb is { } mmdb && File.Exists(mmdb))
        {
            experts.Add(new AsnLookupExpert(MmdbAsnLookup.Open(mmdb)));
        }
        else if (Config.AsnTables.Count > 0)
        {
            experts.Add(new AsnLookupExpert(Pfx2AsTable.Load(Config.AsnTables)));
        }
        var orgs = await Store.GetOrganisationsAsync(ct);
        experts.Add(new ConstituencyExpert(new ConstituencyIndex(orgs)));
        experts.Add(new TaxonomyExpert());
        experts.Add(new DeduplicatorExpert(new DedupOptions { Window = Config.DedupWindow }, Clock));
        return experts;
    }

    public async ValueTask DisposeAsync() => await Store.DisposeAsync();
}
