using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage;

/// <summary>A rejected input record kept for the analyst (the quarantine).</summary>
public sealed record QuarantinedRecord(long Id, DateTime ReceivedAt, string Feed, string? File, long Line, string Raw, string Reason);

/// <summary>One notification that was delivered (or written to the outbox).</summary>
public sealed record NotificationRecord(
    string Organisation,
    DateTime SentAt,
    string Channel,
    string Recipient,
    string Subject,
    int EventCount,
    string MessageId);

/// <summary>
/// Filter for reading events back. Every filter given must match (AND). Times are compared with
/// <see cref="Fields.TimeSource"/> when the event has one and its observation time otherwise
/// (the stored <c>time</c>: what a digest or the web calls "when it happened").
/// </summary>
public sealed record EventQuery
{
    public string? Organisation { get; init; }

    /// <summary>Events at or after this time (inclusive); see the type's remarks for which time.</summary>
    public DateTime? Since { get; init; }

    /// <summary>Events before this time (exclusive).</summary>
    public DateTime? Until { get; init; }

    public string? Feed { get; init; }

    /// <summary>source.ip within this prefix (a host is a /32 or /128); IPv4 and IPv6.</summary>
    public NetPrefix? SourcePrefix { get; init; }

    /// <summary>source.asn equal to this.</summary>
    public long? SourceAsn { get; init; }

    /// <summary>classification.taxonomy (RSIT), matched through the types of that taxonomy.</summary>
    public string? Taxonomy { get; init; }

    /// <summary>classification.type.</summary>
    public string? ClassificationType { get; init; }

    /// <summary>classification.identifier (checked on the decoded event: it has no column of its own).</summary>
    public string? Identifier { get; init; }

    /// <summary>Only events the reader may see under TLP (marking &lt;= clearance).</summary>
    public Tlp Clearance { get; init; } = Tlp.Red;

    /// <summary>Only events not yet included in a notification (for digests).</summary>
    public bool OnlyUnnotified { get; init; }

    public int? Limit { get; init; }
}

/// <summary>
/// One page of events in storage order (oldest stored first) and the cursor of the next page, null
/// after the last. The cursor is opaque: pass it back unchanged with the same query. Rows stored
/// after the first page appear on a later page, never twice and never in a gap.
/// </summary>
public sealed record EventPage(IReadOnlyList<Event> Events, string? NextCursor);

/// <summary>One change to an organisation: who made it, when, and the record before and after (JSON; null when created or deleted).</summary>
public sealed record OrganisationChange(long Id, string OrganisationId, DateTime At, string Actor, string Action, string? Before, string? After);

/// <summary>Result of writing a batch: how many were new, how many were already stored.</summary>
public readonly record struct StoreResult(int Inserted, int Duplicates);

/// <summary>Thrown for storage failures; <see cref="IsTransient"/> says whether a retry may succeed.</summary>
public sealed class StorageException : Exception
{
    public StorageException(string message, bool isTransient, Exception? inner = null)
        : base(message, inner) => IsTransient = isTransient;

    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public bool IsTransient { get; }
}

/// <summary>
/// Events. A batch is written in one transaction; writing the same batch twice stores it once
/// (ids are deterministic).
/// </summary>
public interface IEventStore
{
    Task<StoreResult> StoreEventsAsync(IReadOnlyList<Event> batch, CancellationToken cancellationToken = default);

    /// <summary>Every matching event in storage order (up to <see cref="EventQuery.Limit"/>).</summary>
    IAsyncEnumerable<Event> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>At most <paramref name="pageSize"/> matching events after <paramref name="cursor"/> (null: from the start), by keyset.</summary>
    Task<EventPage> QueryEventPageAsync(EventQuery query, int pageSize, string? cursor = null, CancellationToken cancellationToken = default);

    Task<long> CountEventsAsync(EventQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// Rejected input records. A record is kept once per feed, file, line and raw text: storing the
/// rejections of a file again (a re-ingest) adds nothing.
/// </summary>
public interface IQuarantineStore
{
    /// <summary>Stores the records not already kept; returns how many were new.</summary>
    Task<int> StoreRejectionsAsync(IReadOnlyList<QuarantinedRecord> batch, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="limit"/> records, oldest first.</summary>
    IAsyncEnumerable<QuarantinedRecord> QueryQuarantineAsync(int limit, CancellationToken cancellationToken = default);

    Task<long> CountQuarantineAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The constituency's organisations, with a history of every change (who, when, before and after).
/// <see cref="GetRevisionAsync"/> is a cheap change signal: a running service polls it and reloads
/// the organisations when it moves.
/// </summary>
public interface IOrganisationStore
{
    /// <summary>Inserts or updates; each organisation that is new or differs gets a history row with <paramref name="actor"/> and the store clock's time.</summary>
    Task UpsertOrganisationsAsync(IReadOnlyList<Organisation> organisations, string actor, CancellationToken cancellationToken = default);

    /// <summary>Deletes one organisation (history row "delete"); false when there was none.</summary>
    Task<bool> DeleteOrganisationAsync(string id, string actor, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Organisation>> GetOrganisationsAsync(CancellationToken cancellationToken = default);

    /// <summary>The changes, oldest first; of one organisation when <paramref name="organisationId"/> is given.</summary>
    Task<IReadOnlyList<OrganisationChange>> GetOrganisationHistoryAsync(string? organisationId = null, CancellationToken cancellationToken = default);

    /// <summary>A number that grows with every change (0 before the first).</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken = default);
}

/// <summary>Sent notifications (digests), and which events they covered.</summary>
public interface INotificationStore
{
    /// <summary>Records a sent notification and marks its events as notified, atomically.</summary>
    Task RecordNotificationAsync(NotificationRecord notification, IReadOnlyList<EventId> events, CancellationToken cancellationToken = default);

    IAsyncEnumerable<NotificationRecord> QueryNotificationsAsync(string? organisation, CancellationToken cancellationToken = default);
}

/// <summary>
/// The feed side of one deployment's database: events, quarantine, organisations and
/// notifications (attacks and routes have their contracts beside their types, in Belfry.Ddos and
/// Belfry.Mitigation). <see cref="InitializeAsync"/> creates or migrates the schema.
/// </summary>
public interface IBelfryStore : IEventStore, IQuarantineStore, IOrganisationStore, INotificationStore, IAsyncDisposable
{
    /// <summary>Creates or migrates the schema; refuses a database written by a newer program.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// A store that also takes events encoded ahead of time, on the producer's thread
/// (<see cref="EventRowEncoder"/>): the ingest pipeline uses it so the store thread only binds bytes
/// and events never outlive their batch. Same semantics as <see cref="IEventStore.StoreEventsAsync"/>:
/// all the batches are written in one transaction, an id already stored counts as a duplicate.
/// </summary>
public interface IEncodedEventStore
{
    /// <summary>An encoder for this store (one per producer thread).</summary>
    Task<EventRowEncoder> CreateRowEncoderAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the rows of <paramref name="batches"/> in one transaction. The batches are enumerated
    /// once, inside the transaction, and each is read only until the enumerator moves on: a producer
    /// may refill a batch then (the rows are bound), and may wait for its next batch in MoveNext.
    /// </summary>
    Task<StoreResult> StoreEncodedAsync(IEnumerable<EncodedEventBatch> batches, CancellationToken cancellationToken = default);
}
