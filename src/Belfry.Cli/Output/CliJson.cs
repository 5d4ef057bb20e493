using System.Text.Json.Serialization;
using Belfry.Pipeline;
using Belfry.Storage;

namespace Belfry.Cli.Output;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IngestSummary))]
[JsonSerializable(typeof(QuarantinedRecord))]
[JsonSerializable(typeof(NotificationRecord))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(BenchResult))]
sealed partial class CliJson : JsonSerializerContext
{
}

/// <summary>Output of `belfry bench feeds`.</summary>
sealed record BenchResult(
    long Rows,
    double FileMegabytes,
    double ParseEnrichRowsPerSecond,
    double EndToEndEventsPerSecond,
    long StoredEvents,
    double PeakWorkingSetMegabytes,
    double ParseSeconds,
    double StoreSeconds,
    double TotalSeconds);
