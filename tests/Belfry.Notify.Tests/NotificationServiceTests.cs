using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Notify.Mail;
using Belfry.Storage;
using Belfry.Storage.Sqlite;
using MimeKit;
using static Belfry.Notify.Tests.TestData;

namespace Belfry.Notify.Tests;

/// <summary>The service's decisions, on a real SQLite store (temp file) with a recording transport.</summary>
public sealed class NotificationServiceTests : IAsyncLifetime
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "belfry-notify-" + Guid.NewGuid().ToString("N"));
    SqliteStore _store = null!;
    readonly RecordingTransport _transport = new();

    static readonly Organisation s_acme = NewOrg("0200000043", "Acme NV", Language.Nl);
    static readonly Organisation s_ville = NewOrg("0300000016", "Ville de Namur", Language.Fr);
    static readonly Organisation s_silent = NewOrg("0400000086", "Stille BV", Language.Nl) with { Contacts = [] };

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "events.db"));
        await _store.InitializeAsync(Ct);
        await _store.UpsertOrganisationsAsync([s_acme, s_ville, s_silent], "test", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    NotificationService Service(NotificationOptions? options = null, IMailTransport? transport = null) =>
        new(_store, transport ?? _transport, options ?? new NotificationOptions());

    Task<long> UnnotifiedAsync(string org) =>
        _store.CountEventsAsync(new EventQuery { Organisation = org, OnlyUnnotified = true }, Ct);

    [Fact]
    public async Task RunOnceAsync_NewEvents_OneDigestPerOrganisationAndRecorded()
    {
        await _store.StoreEventsAsync(
        [
            Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp", port: 3389),
            Make(s_acme.Id, "192.0.2.2", "vulnerable-system", "open-rdp", port: 3389),
            Make(s_ville.Id, "198.51.100.7", "infected-system", "mirai", malware: "mirai"),
            Make(null, "203.0.113.99", "vulnerable-system", "open-rdp", port: 3389),
        ], Ct);

        var summary = await Service().RunOnceAsync(Now, Ct);

        Assert.Equal(2, summary.Sent);
        Assert.Equal(2, _transport.Sent.Count);
        var acme = summary.Organisations.Single(o => o.Organisation == s_acme.Id);
        Assert.Equal((NotificationOutcome.Sent, 2, "recording"), (acme.Outcome, acme.EventCount, acme.Channel));
        Assert.Equal(["security@0200000043.example"], acme.Recipients);
        var acmeMail = _transport.Sent.Single(m => m.MessageId == acme.MessageId);
        Assert.Contains("Cyberdreigingsmelding voor Acme NV", acmeMail.Subject);
        var villeMail = _transport.Sent.Single(m => m.To.Mailboxes.Single().Address == "security@0300000016.example");
        Assert.Contains("Alerte de cybermenace pour Ville de Namur", villeMail.Subject);
        Assert.All(_transport.Sent, m => Assert.DoesNotContain("203.0.113.99", m.ToString()));
        Assert.Equal(0, await UnnotifiedAsync(s_acme.Id));
        Assert.Equal(0, await UnnotifiedAsync(s_ville.Id));
        var records = await _store.QueryNotificationsAsync(s_acme.Id, Ct).ToListAsync(Ct);
        var record = Assert.Single(records);
        Assert.Equal((acme.MessageId, 2, "recording"), (record.MessageId, record.EventCount, record.Channel));
    }

    [Fact]
    public async Task RunOnceAsync_SecondRunWithoutNewEvents_SendsNothing()
    {
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Ct);
        var service = Service();
        await service.RunOnceAsync(Now, Ct);

        var second = await service.RunOnceAsync(Now.AddHours(5), Ct);

        Assert.Empty(second.Organisations);
        Assert.Single(_transport.Sent);
    }

    [Fact]
    public async Task RunOnceAsync_NewEventWithinInterval_WaitsForTheIntervalThenSendsOnlyIt()
    {
        var service = Service(new NotificationOptions { Interval = TimeSpan.FromHours(1) });
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Ct);
        await service.RunOnceAsync(Now, Ct);
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.2", "vulnerable-system", "open-smb", port: 445)], Ct);

        var early = await service.RunOnceAsync(Now.AddMinutes(30), Ct);
        var later = await service.RunOnceAsync(Now.AddMinutes(61), Ct);

        Assert.Equal(NotificationOutcome.TooRecent, Assert.Single(early.Organisations).Outcome);
        var sent = Assert.Single(later.Organisations);
        Assert.Equal((NotificationOutcome.Sent, 1), (sent.Outcome, sent.EventCount));
        Assert.Equal(2, _transport.Sent.Count);
        var second = _transport.Sent[1].ToString();
        Assert.Contains("192.0.2.2", second);
        Assert.DoesNotContain("192.0.2.1:", second);
    }

    [Fact]
    public async Task RunOnceAsync_OrganisationWithoutContacts_ReportedNotSent()
    {
        await _store.StoreEventsAsync([Make(s_silent.Id, "192.0.2.9", "vulnerable-system", "open-rdp")], Ct);

        var summary = await Service().RunOnceAsync(Now, Ct);

        var only = Assert.Single(summary.Organisations);
        Assert.Equal((s_silent.Id, NotificationOutcome.NoContacts, 1), (only.Organisation, only.Outcome, only.EventCount));
        Assert.Empty(_transport.Sent);
        Assert.Equal(1, await UnnotifiedAsync(s_silent.Id));
    }

    [Fact]
    public async Task RunOnceAsync_DryRun_BuildsButSendsAndMarksNothing()
    {
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Ct);

        var summary = await Service(new NotificationOptions { DryRun = true }).RunOnceAsync(Now, Ct);

        var only = Assert.Single(summary.Organisations);
        Assert.Equal(NotificationOutcome.DryRun, only.Outcome);
        Assert.NotNull(only.MessageId);
        Assert.Empty(_transport.Sent);
        Assert.Equal(1, await UnnotifiedAsync(s_acme.Id));
    }

    [Fact]
    public async Task RunOnceAsync_BelowMinimum_NotSent()
    {
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Ct);

        var summary = await Service(new NotificationOptions { MinimumEvents = 2 }).RunOnceAsync(Now, Ct);

        Assert.Equal(NotificationOutcome.BelowMinimum, Assert.Single(summary.Organisations).Outcome);
        Assert.Empty(_transport.Sent);
    }

    [Fact]
    public async Task RunOnceAsync_DeliveryFails_ReportedAndRetriedNextRunWithSameMessageId()
    {
        await _store.StoreEventsAsync([Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Ct);
        var failing = new RecordingTransport { Fail = true };

        var first = await Service(transport: failing).RunOnceAsync(Now, Ct);
        var second = await Service().RunOnceAsync(Now.AddMinutes(1), Ct);

        var failed = Assert.Single(first.Organisations);
        Assert.Equal(NotificationOutcome.Failed, failed.Outcome);
        Assert.Contains("421", failed.Error);
        var sent = Assert.Single(second.Organisations);
        Assert.Equal(NotificationOutcome.Sent, sent.Outcome);
        Assert.Equal(failed.MessageId, sent.MessageId);
    }

    [Fact]
    public async Task RunOnceAsync_RedEvent_NeverMailedAndStaysUnnotified()
    {
        await _store.StoreEventsAsync(
        [
            Make(s_acme.Id, "192.0.2.1", "vulnerable-system", "open-rdp"),
            Make(s_acme.Id, "192.0.2.250", "c2-server", null, tlp: Tlp.Red),
        ], Ct);

        var summary = await Service().RunOnceAsync(Now, Ct);

        Assert.Equal(1, Assert.Single(summary.Organisations).EventCount);
        Assert.DoesNotContain("192.0.2.250", Assert.Single(_transport.Sent).ToString());
        Assert.Equal(1, await UnnotifiedAsync(s_acme.Id));
    }

    sealed class RecordingTransport : IMailTransport
    {
        public List<MimeMessage> Sent { get; } = [];
        public bool Fail { get; init; }
        public string Channel => "recording";

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new MailDeliveryException("421 service not available", isTransient: true);
            }
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }
}
