namespace Belfry.Pipeline;

/// <summary>What one ingest run did: the numbers the CLI prints and `--json` emits.</summary>
public sealed class IngestSummary
{
    public int Files { get; set; }
    public long Bytes { get; set; }
    public long Parsed { get; set; }
    public long Stored { get; set; }
    public long AlreadyStored { get; set; }
    public long Unmatched { get; set; }
    public long Quarantined { get; set; }
    public Dictionary<string, long> EventsPerFeed { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> EventsPerOrganisation { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> QuarantineReasons { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> ExpertDropped { get; } = new(StringComparer.Ordinal);

    /// <summary>Files whose rows were mostly rejected (their good rows are kept), one line each.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Files refused as a whole (unknown format, unreadable), with the reason.</summary>
    public List<FileError> RefusedFiles { get; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>Time the parse+enrich stage was busy, and the store stage.</summary>
    public TimeSpan ParseTime { get; set; }
    public TimeSpan StoreTime { get; set; }

    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Parsed / Elapsed.TotalSeconds : 0;

    public sealed record FileError(string File, string Reason);
}
