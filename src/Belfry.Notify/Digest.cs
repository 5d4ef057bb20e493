using Belfry.Core.Constituency;
using Belfry.Core.Events;
using MimeKit;

namespace Belfry.Notify;

/// <summary>
/// One kind of problem in a digest: the events sharing classification type, identifier and (for
/// malicious code) malware name. <see cref="Topic"/> is the key of the advice given for it
/// (e.g. "remote-desktop", "infected"); <see cref="Addresses"/> holds the first few distinct
/// affected addresses as shown in the body, <see cref="AddressCount"/> how many there are in all.
/// </summary>
public sealed record DigestGroup(
    string Taxonomy,
    string Type,
    string? Identifier,
    string? Malware,
    string Topic,
    int Count,
    IReadOnlyList<string> Addresses,
    int AddressCount);

/// <summary>
/// A built cyber threat alert digest for one organisation, ready to send. <see cref="EventIds"/>
/// are the events included after the TLP filter (to mark as notified once sent); <see cref="Tlp"/>
/// is the highest marking among them, the marking of the whole message; <see cref="ExcludedByTlp"/>
/// counts the events left out because their marking is above the recipient's clearance.
/// </summary>
public sealed record Digest(
    Organisation Organisation,
    MimeMessage Message,
    IReadOnlyList<EventId> EventIds,
    IReadOnlyList<MailboxAddress> Recipients,
    IReadOnlyList<DigestGroup> Groups,
    Tlp Tlp,
    int ExcludedByTlp)
{
    public string Subject => Message.Subject ?? string.Empty;
    public string MessageId => Message.MessageId ?? string.Empty;
    public int EventCount => EventIds.Count;
}
