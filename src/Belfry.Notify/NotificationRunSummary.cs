namespace Belfry.Notify;

public enum NotificationOutcome
{
    /// <summary>The digest was delivered and its events marked as notified.</summary>
    Sent,

    /// <summary>Dry run: the digest was built but neither sent nor recorded.</summary>
    DryRun,

    /// <summary>The organisation has events but no usable contact address.</summary>
    NoContacts,

    /// <summary>The last digest is more recent than the interval; the events wait for the next one.</summary>
    TooRecent,

    /// <summary>Fewer unnotified events than the configured minimum.</summary>
    BelowMinimum,

    /// <summary>Delivery or recording failed; see the error. The events stay unnotified.</summary>
    Failed,
}

/// <summary>What happened for one organisation with unnotified events.</summary>
public sealed record OrganisationNotification(
    string Organisation,
    NotificationOutcome Outcome,
    int EventCount,
    IReadOnlyList<string> Recipients,
    string? Channel,
    string? MessageId,
    string? Error = null);

public sealed record NotificationRunSummary(DateTime RunAt, IReadOnlyList<OrganisationNotification> Organisations)
{
    public int Sent => Organisations.Count(o => o.Outcome == NotificationOutcome.Sent);
    public int Failed => Organisations.Count(o => o.Outcome == NotificationOutcome.Failed);
}
