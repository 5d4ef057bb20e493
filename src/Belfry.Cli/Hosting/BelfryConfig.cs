using System.Text.Json;
using System.Text.Json.Serialization;

namespace Belfry.Cli.Hosting;

/// <summary>
/// Optional settings file `belfry.json` in the data folder. Everything has a default, so a new
/// data folder works with no file at all. Secrets (SMTP password) come from the environment
/// (BELFRY_SMTP_PASSWORD), never from this file.
/// </summary>
public sealed record BelfryConfig
{
    public SmtpConfig? Smtp { get; init; }
    public NotifyConfig Notify { get; init; } = new();

    /// <summary>Routeviews pfx2as text files (IPv4/IPv6) for AS-number lookup.</summary>
    public IReadOnlyList<string> AsnTables { get; init; } = [];

    /// <summary>MaxMind/DB-IP ASN .mmdb file, used when present.</summary>
    public string? AsnMmdb { get; init; }

    /// <summary>Shadowserver's intelmq.json; default: data folder, then a shared/ reference copy.</summary>
    public string? ShadowserverSchema { get; init; }

    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>DDoS detection and mitigation for `belfry flows listen` (see docs/ddos.md, "Running it").</summary>
    public DdosConfig Ddos { get; init; } = new();

    public sealed record SmtpConfig
    {
        public string Host { get; init; } = "127.0.0.1";
        public int Port { get; init; } = 25;
        public string Security { get; init; } = "none";
        public string? Username { get; init; }
    }

    public sealed record NotifyConfig
    {
        public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);
        public string From { get; init; } = "Belfry CSIRT <alerts@belfry.invalid>";
    }

    /// <summary>
    /// Monitored networks beyond the registered organisations' prefixes, host groups with their
    /// thresholds, whitelisted sources, timing, and mitigation through BGP.
    /// </summary>
    public sealed record DdosConfig
    {
        public IReadOnlyList<NetworkConfig> Networks { get; init; } = [];

        /// <summary>Host groups; a group named "default" replaces the built-in one (which organisations' prefixes use).</summary>
        public IReadOnlyList<GroupConfig> Groups { get; init; } = [];

        /// <summary>Sources whose traffic is never counted (scanners, CDNs, peers); these prefixes are never blackholed either.</summary>
        public IReadOnlyList<string> Whitelist { get; init; } = [];

        /// <summary>Aggregation prefix lengths for prefix counters and carpet bombing (0: /24 and /64).</summary>
        public int AggregateLengthV4 { get; init; }
        public int AggregateLengthV6 { get; init; }

        public int? ConfirmSeconds { get; init; }
        public int? HoldDownSeconds { get; init; }
        public int? UpdateIntervalSeconds { get; init; }

        /// <summary>BGP speaker (gobgpd); absent or dry_run: mitigation is only shown, never announced.</summary>
        public BgpConfig? Bgp { get; init; }

        /// <summary>Routes stay this long after the attack ended.</summary>
        public TimeSpan HoldTime { get; init; } = TimeSpan.FromMinutes(15);

        /// <summary>Host groups whose attacked hosts are blackholed (RTBH) besides Flowspec; "*" = all.</summary>
        public IReadOnlyList<string> BlackholeGroups { get; init; } = [];

        /// <summary>Targets never blackholed (Flowspec still applies); the whitelist is added.</summary>
        public IReadOnlyList<string> NeverBlackhole { get; init; } = [];
        public bool Flowspec { get; init; } = true;
        public int MaxBlackholes { get; init; } = 32;
        public int MaxFlowspecRules { get; init; } = 512;
    }

    public sealed record NetworkConfig
    {
        public string Prefix { get; init; } = "";
        public string Group { get; init; } = "default";

        /// <summary>Owning organisation (enterprise number); default: the registered organisation holding the prefix.</summary>
        public string? Organisation { get; init; }

        /// <summary>0: the ddos section's aggregate length for the family.</summary>
        public int AggregateLength { get; init; }
    }

    public sealed record GroupConfig
    {
        public string Name { get; init; } = "default";
        public Belfry.Ddos.Detection.TrafficThresholds? Thresholds { get; init; }
        public Belfry.Ddos.Detection.TrafficThresholds? PrefixThresholds { get; init; }
        public double? PrefixFactor { get; init; }
        public Belfry.Ddos.Detection.BaselineOptions? HostBaseline { get; init; }
        public Belfry.Ddos.Detection.BaselineOptions? PrefixBaseline { get; init; }
        public Belfry.Ddos.Detection.CarpetOptions? Carpet { get; init; }
    }

    public sealed record BgpConfig
    {
        public string GobgpPath { get; init; } = "gobgp";
        public string Api { get; init; } = "127.0.0.1:50051";
        public uint LocalAs { get; init; } = 64512;
        public string RouterId { get; init; } = "127.0.0.1";
        public string NextHopV4 { get; init; } = "192.0.2.1";
        public string NextHopV6 { get; init; } = "100::1";
        public IReadOnlyList<string> ExtraCommunities { get; init; } = [];
        public bool NoExport { get; init; } = true;

        /// <summary>Show the gobgp commands instead of running them (as `--dry-run`).</summary>
        public bool DryRun { get; init; }
        public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    }

    public static BelfryConfig Load(string dataFolder)
    {
        var path = Path.Combine(dataFolder, "belfry.json");
        if (!File.Exists(path))
        {
            return new BelfryConfig();
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), BelfryConfigJson.Default.BelfryConfig) ?? new BelfryConfig();
        }
        catch (JsonException ex)
        {
            throw new CliException($"{path}: {ex.Message}");
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, WriteIndented = true)]
[JsonSerializable(typeof(BelfryConfig))]
sealed partial class BelfryConfigJson : JsonSerializerContext
{
}

/// <summary>A user-facing error: printed as one line, exit code 1, no stack trace.</summary>
public sealed class CliException : Exception
{
    public CliException(string message)
        : base(message)
    {
    }

    public CliException()
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
