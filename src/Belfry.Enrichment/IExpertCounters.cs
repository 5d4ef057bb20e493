namespace Belfry.Enrichment;

/// <summary>
/// The counters every expert keeps for the pipeline summary. Plain fields updated by the one
/// thread that runs the expert; readers on other threads may see slightly stale values.
/// </summary>
public interface IExpertCounters
{
    /// <summary>Events the expert has seen.</summary>
    long Processed { get; }

    /// <summary>Events the expert matched or filled a field on.</summary>
    long Matched { get; }

    /// <summary>Events the expert removed from the batch.</summary>
    long Dropped { get; }
}
