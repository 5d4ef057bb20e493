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

    /// <summary>
    /// Shadowserver's schema: the copy in the data folder (kept current by `belfry feeds
    /// update-schema`), the configured path, or a reference copy in a shared/ folder nearby.
    /// </summary>
    public string? FindShadowserverSchema()
    {
        var candidates = new List<string?>
        {
            Config.ShadowserverSchema,
            Path.Combine(DataFolder, "shadowserver", "intelmq.json"),
            Environment.GetEnvironmentVariable("BELFRY_SHADOWSERVER_SCHEMA"),
            SharedData.Find(Path.Combine("reference", "shadowserver", "intelmq.json")),
        };
        return candidates.FirstOrDefault(p => p is not null && File.Exists(p));
    }

    /// <summary>Folder of generic CSV feed mappings (one JSON file each), loaded with the built-in parsers.</summary>
    public string MappingsFolder => Path.Combine(DataFolder, "feeds.d");

    public FeedRegistry CreateRegistry(IReadOnlyList<string>? extraMappings = null)
    {
        var schemaPath = FindShadowserverSchema();
        var schema = schemaPath is null ? null : ShadowserverSchema.Load(schemaPath);
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
        if (schema is not null)
        {
            parsers.Add(new ShadowserverParser(schema));
        }
        parsers.AddRange(FeedRegistry.BuiltInParsers());
        return new FeedRegistry(parsers);
    }

    public ShadowserverSchema LoadShadowserverSchema() =>
        FindShadowserverSchema() is { } p
            ? ShadowserverSchema.Load(p)
            : throw new CliException("Shadowserver schema (intelmq.json) not found: run `belfry feeds update-schema FILE` or set shadowserver_schema in belfry.json.");

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

/// <summary>Finds reference data in a `shared/` folder beside or above the working directory or the program.</summary>
public static class SharedData
{
    public static string? Find(string relative)
    {
        if (Environment.GetEnvironmentVariable("BELFRY_SHARED") is { } env && File.Exists(Path.Combine(env, relative)))
        {
            return Path.Combine(env, relative);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
