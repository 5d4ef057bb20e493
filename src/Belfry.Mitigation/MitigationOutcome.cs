namespace Belfry.Mitigation;

public enum MitigationStatus
{
    /// <summary>Announced now, or already active and now also owned by this request.</summary>
    Announced,

    /// <summary>The policy refused it; nothing was sent to the router.</summary>
    Refused,

    /// <summary>No rule describes the vector; nothing was sent.</summary>
    Skipped,

    /// <summary>The router failed or could not be reached (see the message).</summary>
    Failed,

    Withdrawn,

    /// <summary>Withdrawal of something that was not active.</summary>
    NotActive,
}

/// <summary>What the <see cref="MitigationManager"/> did about one mitigation.</summary>
public sealed record MitigationOutcome(MitigationStatus Status, MitigationId? Id, string Message)
{
    public Mitigation? Mitigation { get; init; }

    public override string ToString() => Id is { } id ? $"{Status} {id}: {Message}" : $"{Status}: {Message}";
}
