using MimeKit;

namespace Belfry.Notify;

public sealed record DigestOptions
{
    /// <summary>The From of every digest, e.g. "CERT.be &lt;alerts@cert.be&gt;".</summary>
    public MailboxAddress From { get; init; } = new("Belfry CSIRT", "alerts@belfry.invalid");

    /// <summary>The name that signs the message body.</summary>
    public string Signature { get; init; } = "Belfry CSIRT";

    /// <summary>Affected addresses listed per kind of problem in the body; the attachment has them all.</summary>
    public int MaxAddressesPerGroup { get; init; } = 5;
}
