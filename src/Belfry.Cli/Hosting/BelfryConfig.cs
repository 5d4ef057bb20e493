using System.Text.Json;
using System.Text.Json.Serialization;

namespace Belfry.Cli.Hosting;

/// <summary>
/// Optional settings file `belfry.json` in the data folder. Everything has a default, so a new
/// data folder works with no file at all, and a key left out keeps its default: the properties are
/// settable because the JSON source generator builds init-only ones in one object initializer,
/// which replaces the defaults of absent keys with null/0. Secrets (SMTP password) come from the environment
/// (BELFRY_SMTP_PASSWORD), never from this file.
/// </summary>
public sealed record BelfryConfig
{
    public SmtpConfig? Smtp { get; set; }
    public NotifyConfig Notify { get; set; } = new();

    /// <summary>Routeviews pfx2as text files (IPv4/IPv6) for AS-number lookup.</summary>
    public IReadOnlyList<string> AsnTables { get; set; } = [];

    /// <summary>MaxMind/DB-IP ASN .mmdb file, used when present.</summary>
    public string? AsnMmdb { get; set; }

    /// <summary>A Shadowserver intelmq.json to use instead of the built-in facts (relative to the data folder); a copy installed by `belfry feeds update-schema` wins over it.</summary>
    public string? ShadowserverSchema { get; set; }

    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>DDoS detection and mitigation for `belfry flows listen` (see docs/ddos.md, "Running it").</summary>
    public DdosConfig Ddos { get; set; } = new();

    /// <summary>Which flow exporters are believed, for `belfry flows listen` and `belfry up` (see docs/flows-collector.md, "Exporters").</summary>
    public FlowsConfig Flows { get; set; } = new();

    public sealed record SmtpConfig
    {
        public string Host { get; set; } = "127.0.0.1";
        public int Port { get; set; } = 25;
        public string Security { get; set; } = "none";
        public string? Username { get; set; }
    }

    public sealed record NotifyConfig
    {
        public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
        public string From { get; set; } = "Belfry CSIRT <alerts@belfry.invalid>";
    }

    /// <summary>
    /// Monitored networks beyond the registered organisations' prefixes, host groups with their
    /// thresholds, whitelisted sources, timing, and mitigation through BGP.
    /// </summary>
    public sealed record DdosConfig
    {
        public IReadOnlyList<NetworkConfig> Networks { get; set; } = [];

        /// <summary>Host groups; a group named "default" replaces the built-in one (which organisations' prefixes use).</summary>
        public IReadOnlyList<GroupConfig> Groups { get; set; } = [];

        /// <summary>Sources whose traffic is never counted (scanners, CDNs, peers); these prefixes are never blackholed either.</summary>
        public IReadOnlyList<string> Whitelist { get; set; } = [];

        /// <summary>Aggregation prefix lengths for prefix counters and carpet bombing (0: /24 and /64).</summary>
        public int AggregateLengthV4 { get; set; }
        public int AggregateLengthV6 { get; set; }

        public int? ConfirmSeconds { get; set; }
        public int? HoldDownSeconds { get; set; }
        public int? UpdateIntervalSeconds { get; set; }

        /// <summary>BGP speaker (gobgpd); absent or dry_run: mitigation is only shown, never announced.</summary>
        public BgpConfig? Bgp { get; set; }

        /// <summary>Routes stay this long after the attack ended.</summary>
        public TimeSpan HoldTime { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>Host groups whose attacked hosts are blackholed (RTBH) besides Flowspec; "*" = all.</summary>
        public IReadOnlyList<string> BlackholeGroups { get; set; } = [];

        /// <summary>Targets never blackholed (Flowspec still applies); the whitelist is added.</summary>
        public IReadOnlyList<string> NeverBlackhole { get; set; } = [];
        public bool Flowspec { get; set; } = true;
        public int MaxBlackholes { get; set; } = 32;
        public int MaxFlowspecRules { get; set; } = 512;
    }

    public sealed record NetworkConfig
    {
        public string Prefix { get; set; } = "";
        public string Group { get; set; } = "default";

        /// <summary>Owning organisation (enterprise number); default: the registered organisation holding the prefix.</summary>
        public string? Organisation { get; set; }

        /// <summary>0: the ddos section's aggregate length for the family.</summary>
        public int AggregateLength { get; set; }
    }

    public sealed record GroupConfig
    {
        public string Name { get; set; } = "default";
        public Belfry.Ddos.Detection.TrafficThresholds? Thresholds { get; set; }
        public Belfry.Ddos.Detection.TrafficThresholds? PrefixThresholds { get; set; }
        public double? PrefixFactor { get; set; }
        public BaselineConfig? HostBaseline { get; set; }
        public BaselineConfig? PrefixBaseline { get; set; }
        public CarpetConfig? Carpet { get; set; }
    }

    /// <summary><see cref="Belfry.Ddos.Detection.BaselineOptions"/>; absent keys keep the library's defaults.</summary>
    public sealed record BaselineConfig
    {
        public bool? Enabled { get; set; }
        public double? Multiplier { get; set; }
        public double? FloorPps { get; set; }
        public double? FloorMbps { get; set; }
        public double? FloorFlowsPerSecond { get; set; }
        public int? WarmupSeconds { get; set; }
        public double? TimeConstantSeconds { get; set; }

        public Belfry.Ddos.Detection.BaselineOptions ToOptions()
        {
            var d = new Belfry.Ddos.Detection.BaselineOptions();
            return d with
            {
                Enabled = Enabled ?? d.Enabled,
                Multiplier = Multiplier ?? d.Multiplier,
                FloorPps = FloorPps ?? d.FloorPps,
                FloorMbps = FloorMbps ?? d.FloorMbps,
                FloorFlowsPerSecond = FloorFlowsPerSecond ?? d.FloorFlowsPerSecond,
                WarmupSeconds = WarmupSeconds ?? d.WarmupSeconds,
                TimeConstantSeconds = TimeConstantSeconds ?? d.TimeConstantSeconds,
            };
        }
    }

    /// <summary><see cref="Belfry.Ddos.Detection.CarpetOptions"/>; absent keys keep the library's defaults.</summary>
    public sealed record CarpetConfig
    {
        public bool? Enabled { get; set; }
        public int? MinHosts { get; set; }
        public double? MaxHostShare { get; set; }
        public double? ElevatedMultiplier { get; set; }
        public int? MinElevatedHosts { get; set; }
        public double? ElevatedMinPps { get; set; }

        public Belfry.Ddos.Detection.CarpetOptions ToOptions()
        {
            var d = new Belfry.Ddos.Detection.CarpetOptions();
            return d with
            {
                Enabled = Enabled ?? d.Enabled,
                MinHosts = MinHosts ?? d.MinHosts,
                MaxHostShare = MaxHostShare ?? d.MaxHostShare,
                ElevatedMultiplier = ElevatedMultiplier ?? d.ElevatedMultiplier,
                MinElevatedHosts = MinElevatedHosts ?? d.MinElevatedHosts,
                ElevatedMinPps = ElevatedMinPps ?? d.ElevatedMinPps,
            };
        }
    }

    /// <summary>
    /// Flow collector trust: the exporters whose datagrams are decoded (others are counted and
    /// ignored) and the sampling rates believed from them.
    /// </summary>
    public sealed record FlowsConfig
    {
        /// <summary>Exporter addresses or prefixes ("192.0.2.1", "192.0.2.0/24", "2001:db8::/32"); empty: loopback only.</summary>
        public IReadOnlyList<string> Exporters { get; set; } = [];

        /// <summary>Largest believable sampling rate (1 in N); records claiming more are taken unscaled.</summary>
        public uint MaxSamplingRate { get; set; } = Belfry.Flows.Collection.FlowCollectorOptions.DefaultMaxSamplingRate;

        /// <summary>A bound of its own per exporter address or prefix (for example its configured rate); each is also allowed.</summary>
        public Dictionary<string, uint> ExporterMaxSamplingRates { get; set; } = [];
    }

    public sealed record BgpConfig
    {
        public string GobgpPath { get; set; } = "gobgp";
        public string Api { get; set; } = "127.0.0.1:50051";
        public uint LocalAs { get; set; } = 64512;
        public string RouterId { get; set; } = "127.0.0.1";
        public string NextHopV4 { get; set; } = "192.0.2.1";
        public string NextHopV6 { get; set; } = "100::1";
        public IReadOnlyList<string> ExtraCommunities { get; set; } = [];
        public bool NoExport { get; set; } = true;

        /// <summary>Show the gobgp commands instead of running them (as `--dry-run`).</summary>
        public bool DryRun { get; set; }
        public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);
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
