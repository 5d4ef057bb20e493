using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Taxonomy;
using Belfry.Notify.Texts;
using MimeKit;

namespace Belfry.Notify;

/// <summary>
/// Builds the cyber threat alert digest of one organisation (the Safeonweb@work model): a text
/// message in the organisation's language with a summary and advice per kind of problem, and the
/// events as a CSV attachment.
/// </summary>
/// <remarks>
/// Isolation between organisations is enforced here, not trusted to the caller: every event
/// passed in must belong to the organisation, or the builder throws. Events marked above
/// <see cref="Clearance"/> are left out (and counted in <see cref="Digest.ExcludedByTlp"/>).
/// </remarks>
public sealed partial class DigestBuilder
{
    /// <summary>The recipient organisation's clearance: events marked above it are never mailed.</summary>
    public const Tlp Clearance = Tlp.Amber;

    static readonly string[] s_recipientRoles = ["security", "abuse"];

    readonly DigestOptions _options;

    public DigestBuilder(DigestOptions? options = null)
    {
        _options = options ?? new DigestOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxAddressesPerGroup);
    }

    /// <summary>Builds the digest; throws when no event is left after the TLP filter.</summary>
    /// <exception cref="ArgumentException">An event belongs to another organisation, or none is left to send.</exception>
    /// <exception cref="InvalidOperationException">The organisation has no usable contact address.</exception>
    public Digest Build(Organisation organisation, IEnumerable<Event> events, DateTime now) =>
        TryBuild(organisation, events, now, out var digest)
            ? digest
            : throw new ArgumentException($"No event at or below TLP:{Clearance.ToLabel()} to notify to '{organisation.Id}'.", nameof(events));

    /// <summary>Builds the digest, or returns false when no event is left after the TLP filter.</summary>
    /// <exception cref="ArgumentException">An event belongs to another organisation.</exception>
    /// <exception cref="InvalidOperationException">The organisation has no usable contact address.</exception>
    public bool TryBuild(Organisation organisation, IEnumerable<Event> events, DateTime now, [NotNullWhen(true)] out Digest? digest)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        ArgumentNullException.ThrowIfNull(events);

        var included = new List<Event>();
        var seen = new HashSet<EventId>();
        var excluded = 0;
        foreach (var e in events)
        {
            if (!string.Equals(e.Organisation, organisation.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"Event {e.Id} belongs to organisation '{e.Organisation ?? "(none)"}', not '{organisation.Id}': "
                    + "a digest never carries another organisation's events.", nameof(events));
            }
            if (!Clearance.Permits(e.Tlp))
            {
                excluded++;
                continue;
            }
            if (seen.Add(e.Id))
            {
                included.Add(e);
            }
        }

        var recipients = SelectRecipients(organisation);
        if (recipients.Count == 0)
        {
            throw new InvalidOperationException($"Organisation '{organisation.Id}' has no usable contact address.");
        }
        if (included.Count == 0)
        {
            digest = null;
            return false;
        }

        // The same events always give the same message (order, Message-Id, attachment), whatever order
        // the store returned them in.
        included.Sort(static (a, b) =>
        {
            var t = Nullable.Compare(a.TimeSource, b.TimeSource);
            return t != 0 ? t : a.Id.Value.CompareTo(b.Id.Value);
        });

        var utcNow = DateTime.SpecifyKind(now, DateTimeKind.Utc);
        var groups = GroupEvents(included, _options.MaxAddressesPerGroup);
        var tlp = included.Max(e => e.Tlp);
        var ids = included.ConvertAll(e => e.Id);
        var messageId = ComputeMessageId(organisation.Id, ids, _options.From.Domain);

        var language = organisation.Language;
        var subject = Fill(DigestTexts.Subject.Get(language), organisation, tlp, included.Count, language)
            .Replace("{found}", DigestTexts.ProblemsFound.Format(language, included.Count), StringComparison.Ordinal);
        var body = RenderBody(organisation, included, groups, tlp, messageId);

        var message = new MimeMessage();
        message.From.Add(_options.From);
        message.To.AddRange(recipients);
        message.Subject = subject;
        message.MessageId = messageId;
        message.Date = new DateTimeOffset(utcNow, TimeSpan.Zero);
        // RFC 3834: tells auto-responders (out-of-office) not to answer the digest.
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = new TextPart("plain")
        {
            Text = body,
            ContentTransferEncoding = ContentEncoding.QuotedPrintable,
        };
        text.Headers.Add(HeaderId.ContentLanguage, language.Code());

        var csv = new MimePart("text", "csv")
        {
            Content = new MimeContent(new MemoryStream(EventCsv.ToUtf8(included))),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = AttachmentName(organisation.Id, utcNow),
        };
        csv.ContentType.Charset = "utf-8";

        message.Body = new Multipart("mixed") { text, csv };

        digest = new Digest(organisation, message, ids, recipients, groups, tlp, excluded);
        return true;
    }

    /// <summary>The contacts with role security or abuse; when there are none, all contacts. Invalid addresses are skipped.</summary>
    public static IReadOnlyList<MailboxAddress> SelectRecipients(Organisation organisation)
    {
        ArgumentNullException.ThrowIfNull(organisation);
        var preferred = organisation.Contacts
            .Where(c => s_recipientRoles.Contains(c.Role.Trim(), StringComparer.OrdinalIgnoreCase))
            .ToList();
        var chosen = preferred.Count > 0 ? preferred : organisation.Contacts;
        var result = new List<MailboxAddress>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var contact in chosen)
        {
            if (MailboxAddress.TryParse(contact.Email?.Trim() ?? string.Empty, out var parsed)
                && parsed.Address.Contains('@', StringComparison.Ordinal)
                && seen.Add(parsed.Address))
            {
                result.Add(new MailboxAddress(contact.Name ?? parsed.Name ?? string.Empty, parsed.Address));
            }
        }
        return result;
    }

    /// <summary>
    /// A Message-Id that depends only on the organisation and the set of events: rebuilding the same
    /// digest (e.g. after a crash between sending and recording) gives the same id, so receiving
    /// systems can recognise the duplicate.
    /// </summary>
    public static string ComputeMessageId(string organisationId, IEnumerable<EventId> eventIds, string? domain)
    {
        ArgumentNullException.ThrowIfNull(organisationId);
        ArgumentNullException.ThrowIfNull(eventIds);
        var sorted = eventIds.Select(id => id.Value).Distinct().Order().ToArray();
        var input = new byte[Encoding.UTF8.GetByteCount(organisationId) + 1 + (16 * sorted.Length)];
        var n = Encoding.UTF8.GetBytes(organisationId, input);
        input[n++] = 0;
        foreach (var id in sorted)
        {
            new EventId(id).WriteBytes(input.AsSpan(n, 16));
            n += 16;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 16));
        var host = string.IsNullOrWhiteSpace(domain) ? "belfry.invalid" : domain.Trim();
        return $"digest.{Sanitize(organisationId)}.{hash}@{host}";
    }

    public static string AttachmentName(string organisationId, DateTime now) =>
        $"belfry-{Sanitize(organisationId)}-{now:yyyy-MM-dd}.csv";

    /// <summary>Groups events by kind of problem, the largest group first.</summary>
    public static IReadOnlyList<DigestGroup> GroupEvents(IReadOnlyList<Event> events, int maxAddresses)
    {
        ArgumentNullException.ThrowIfNull(events);
        var groups = new Dictionary<(string Type, string? Identifier, string? Malware), List<Event>>();
        foreach (var e in events)
        {
            var key = KeyOf(e);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }
            list.Add(e);
        }
        return groups
            .Select(g =>
            {
                var first = g.Value[0];
                var taxonomy = first.GetText(Fields.ClassificationTaxonomy)
                    ?? (Rsit.TryGetTaxonomy(g.Key.Type, out var t) ? t : "other");
                var topic = Advice.For(g.Key.Type, g.Key.Identifier, taxonomy);
                var addresses = g.Value.Select(e => DisplayAddress(e, g.Key.Type)).Distinct(StringComparer.Ordinal).ToList();
                return new DigestGroup(taxonomy, g.Key.Type, g.Key.Identifier, g.Key.Malware, topic.Key, g.Value.Count,
                    addresses.Count <= maxAddresses ? addresses : addresses.GetRange(0, maxAddresses),
                    addresses.Count);
            })
            .OrderByDescending(g => g.Count)
            .ThenBy(g => g.Type, StringComparer.Ordinal)
            .ThenBy(g => g.Identifier, StringComparer.Ordinal)
            .ThenBy(g => g.Malware, StringComparer.Ordinal)
            .ToList();
    }

    static (string Type, string? Identifier, string? Malware) KeyOf(Event e)
    {
        var type = e.ClassificationType ?? "undetermined";
        var identifier = e.ClassificationIdentifier;
        // For malware, "which family" is the useful split: a mirai infection and an emotet one need
        // different clean-up. Elsewhere malware.name is noise.
        string? malware = null;
        if (Rsit.TryGetTaxonomy(type, out var taxonomy) && taxonomy == "malicious-code")
        {
            malware = e.GetText(Fields.MalwareName);
        }
        return (type, identifier, malware);
    }

    static string Sanitize(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }
        return sb.Length == 0 ? "unknown" : sb.ToString();
    }
}
