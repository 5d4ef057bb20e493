using MimeKit;

namespace Belfry.Notify;

public sealed record NotificationOptions
{
    /// <summary>At most one digest per organisation per interval ("a digest every N").</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The From of the digests.</summary>
    public MailboxAddress From { get; init; } = new("Belfry CSIRT", "alerts@belfry.invalid");

    /// <summary>The name that signs the digests.</summary>
    public string Signature { get; init; } = "Belfry CSIRT";

    /// <summary>An organisation is notified only once it has at least this many unnotified events.</summary>
    public int MinimumEvents { get; init; } = 1;

    /// <summary>Cap per digest; the rest stays unnotified and goes in the next one.</summary>
    public int MaxEventsPerDigest { get; init; } = 10_000;

    /// <summary>Build the digests and report them, but send nothing and mark nothing as notified.</summary>
    public bool DryRun { get; init; }

    /// <summary>How often <see cref="NotificationService.RunAsync"/> looks for work.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    public int MaxAddressesPerGroup { get; init; } = 5;
}
