using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Notify.Mail;
using Belfry.Storage;

namespace Belfry.Notify;

/// <summary>
/// Sends each organisation a digest of its new events, at most once per interval.
/// </summary>
/// <remarks>
/// Delivery is at-least-once, by choice: a digest is sent first and recorded (with its events
/// marked notified, atomically) afterwards. A crash or storage failure between the two resends
/// that digest on the next run, at most once more per such failure; when no new event arrived
/// meanwhile the resent message has the same Message-Id, so mail systems and ticketing tools can
/// drop the duplicate. The other order (record, then send) could lose an alert silently, which
/// is worse for a CSIRT than a duplicate.
/// Events without an organisation are never read: the service queries per organisation id, and
/// <see cref="DigestBuilder"/> rejects any event whose organisation differs.
/// </remarks>
public sealed class NotificationService
{
    readonly IBelfryStore _store;
    readonly IMailTransport _transport;
    readonly NotificationOptions _options;
    readonly DigestBuilder _builder;

    public NotificationService(IBelfryStore store, IMailTransport transport, NotificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(transport);
        _store = store;
        _transport = transport;
        _options = options ?? new NotificationOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MinimumEvents);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxEventsPerDigest);
        _builder = new DigestBuilder(new DigestOptions
        {
            From = _options.From,
            Signature = _options.Signature,
            MaxAddressesPerGroup = _options.MaxAddressesPerGroup,
        });
    }

    /// <summary>One pass over all organisations; <paramref name="now"/> is UTC.</summary>
    public async Task<NotificationRunSummary> RunOnceAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        now = DateTime.SpecifyKind(now, DateTimeKind.Utc);
        var results = new List<OrganisationNotification>();
        var organisations = await _store.GetOrganisationsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var organisation in organisations.OrderBy(o => o.Id, StringComparer.Ordinal))
        {
            var result = await NotifyAsync(organisation, now, cancellationToken).ConfigureAwait(false);
            if (result is not null)
            {
                results.Add(result);
            }
        }
        return new NotificationRunSummary(now, results);
    }

    /// <summary>Runs <see cref="RunOnceAsync"/> every <see cref="NotificationOptions.PollInterval"/> until cancelled.</summary>
    public async Task RunAsync(TimeProvider timeProvider, Action<NotificationRunSummary>? onRun = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var timer = new PeriodicTimer(_options.PollInterval, timeProvider);
        do
        {
            var summary = await RunOnceAsync(timeProvider.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
            onRun?.Invoke(summary);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    async Task<OrganisationNotification?> NotifyAsync(Organisation organisation, DateTime now, CancellationToken cancellationToken)
    {
        var query = new EventQuery
        {
            Organisation = organisation.Id,
            OnlyUnnotified = true,
            Clearance = DigestBuilder.Clearance,
        };
        var pending = await _store.CountEventsAsync(query, cancellationToken).ConfigureAwait(false);
        if (pending == 0)
        {
            return null;
        }
        var count = (int)Math.Min(pending, int.MaxValue);
        if (count < _options.MinimumEvents)
        {
            return Report(organisation, NotificationOutcome.BelowMinimum, count);
        }

        var last = await LastNotificationAsync(organisation.Id, cancellationToken).ConfigureAwait(false);
        if (last is { } sentAt && now - sentAt < _options.Interval)
        {
            return Report(organisation, NotificationOutcome.TooRecent, count);
        }

        if (DigestBuilder.SelectRecipients(organisation).Count == 0)
        {
            return Report(organisation, NotificationOutcome.NoContacts, count);
        }

        var events = new List<Event>();
        await foreach (var e in _store.QueryEventsAsync(query with { Limit = _options.MaxEventsPerDigest }, cancellationToken).ConfigureAwait(false))
        {
            events.Add(e);
        }

        Digest? digest;
        try
        {
            if (!_builder.TryBuild(organisation, events, now, out digest))
            {
                return null;
            }
        }
        catch (ArgumentException e)
        {
            // The store returned an event of another organisation: never mail it, and say so.
            return Report(organisation, NotificationOutcome.Failed, count) with { Error = e.Message };
        }

        var recipients = digest.Recipients.Select(r => r.Address).ToList();
        var done = new OrganisationNotification(organisation.Id, NotificationOutcome.Sent, digest.EventCount, recipients, _transport.Channel, digest.MessageId);
        if (_options.DryRun)
        {
            return done with { Outcome = NotificationOutcome.DryRun };
        }

        try
        {
            await _transport.SendAsync(digest.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (MailDeliveryException e)
        {
            return done with { Outcome = NotificationOutcome.Failed, Error = e.Message };
        }

        var record = new NotificationRecord(organisation.Id, now, _transport.Channel, string.Join(", ", recipients), digest.Subject, digest.EventCount, digest.MessageId);
        try
        {
            await _store.RecordNotificationAsync(record, digest.EventIds, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            return done with { Outcome = NotificationOutcome.Failed, Error = $"Sent, but not recorded (will be resent once): {e.Message}" };
        }
        return done;
    }

    async Task<DateTime?> LastNotificationAsync(string organisation, CancellationToken cancellationToken)
    {
        DateTime? last = null;
        await foreach (var n in _store.QueryNotificationsAsync(organisation, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(n.Organisation, organisation, StringComparison.Ordinal) && (last is null || n.SentAt > last))
            {
                last = n.SentAt;
            }
        }
        return last;
    }

    OrganisationNotification Report(Organisation organisation, NotificationOutcome outcome, int count) =>
        new(organisation.Id, outcome, count, [], null, null);
}
