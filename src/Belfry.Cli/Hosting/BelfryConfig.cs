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
