using System.Text;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Integration.Tests.Servers;
using Belfry.Notify;
using Belfry.Notify.Mail;
using Belfry.Storage;
using Belfry.Storage.Sqlite;
using MimeKit;
using nietras.SeparatedValues;

namespace Belfry.Integration.Tests.Smtp;

/// <summary>
/// End to end: events in a real SQLite store, the notification service, MailKit over a real SMTP
/// server (aiosmtpd) on loopback, and the delivered messages read back from its Maildir.
/// </summary>
[Collection(SmtpCollection.Name)]
public sealed class DigestDeliveryTests(SmtpServerFixture smtp) : IAsyncLifetime
{
    static readonly DateTime s_now = new(2025, 5, 12, 7, 0, 0, DateTimeKind.Utc);

    readonly string _dir = Path.Combine(Path.GetTempPath(), "belfry-it-notify-" + Guid.NewGuid().ToString("N"));
    SqliteStore _store = null!;

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Four organisations, one per language, each with its own address space.
    static readonly Organisation s_kortrijk = new()
    {
        Id = "0200000043",
        Name = "Stad Kortrijk",
        Language = Language.Nl,
        Contacts =
        [
            new Contact("csirt@kortrijk.example", "security", "CSIRT Kortrijk"),
            new Contact("abuse@kortrijk.example", "abuse"),
            new Contact("burgemeester@kortrijk.example", "management"),
        ],
    };

    static readonly Organisation s_namur = new()
    {
        Id = "0300000016",
        Name = "Ville de Namur",
        Language = Language.Fr,
        Contacts = [new Contact("securite@namur.example", "security"), new Contact("soc@namur.example", "security")],
    };

    static readonly Organisation s_eupen = new()
    {
        Id = "0400000086",
        Name = "Stadt Eupen",
        Language = Language.De,
        Contacts = [new Contact("it@eupen.example", "technical")],
    };

    static readonly Organisation s_port = new()
    {
        Id = "0500000059",
        Name = "Harbour Logistics",
        Language = Language.En,
        Contacts = [new Contact("security@harbour.example", "security")],
    };

    static readonly Organisation s_quiet = new()
    {
        Id = "0600000032",
        Name = "Quiet Org",
        Language = Language.En,
        Contacts = [new Contact("security@quiet.example", "security")],
    };

    static readonly Dictionary<string, string[]> s_ips = new()
    {
        [s_kortrijk.Id] = ["192.0.2.10", "192.0.2.11", "192.0.2.12"],
        [s_namur.Id] = ["198.51.100.20", "198.51.100.21"],
        [s_eupen.Id] = ["203.0.113.30"],
        [s_port.Id] = ["100.64.7.40", "100.64.7.41"],
    };

    const string UnownedIp = "233.252.0.99";
    const string RedIp = "192.0.2.254";

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "belfry.db"));
        await _store.InitializeAsync(Ct);
        await _store.UpsertOrganisationsAsync([s_kortrijk, s_namur, s_eupen, s_port, s_quiet], "test", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    static Event Make(string? org, string ip, string type, string identifier, int? port = null, string? malware = null, Tlp tlp = Tlp.Amber, int minute = 0)
    {
        var e = new Event { Organisation = org, Tlp = tlp };
        e.Set(Fields.FeedName, "it-feed");
        e.Set(Fields.TimeSource, new DateTime(2025, 5, 11, 22, minute, 0, DateTimeKind.Utc));
        e.Set(Fields.ClassificationType, type);
        e.Set(Fields.ClassificationIdentifier, identifier);
        e.Set(Fields.SourceIp, NetAddress.Parse(ip));
        if (port is { } p)
        {
            e.Set(Fields.SourcePort, p);
        }
        if (malware is not null)
        {
            e.Set(Fields.MalwareName, malware);
        }
        e.Raw = $"{org},{ip},{type},{identifier},{port},{malware},{tlp},{minute}";
        e.Id = EventId.Compute("it-feed", e.Raw);
        return e;
    }

    async Task SeedAsync()
    {
        var events = new List<Event>();
        var minute = 0;
        foreach (var (org, ips) in s_ips)
        {
            foreach (var ip in ips)
            {
                events.Add(Make(org, ip, "vulnerable-system", "open-rdp", port: 3389, minute: minute++));
            }
        }
        events.Add(Make(s_namur.Id, s_ips[s_namur.Id][0], "infected-system", "qakbot", malware: "qakbot", minute: minute++));
        events.Add(Make(null, UnownedIp, "vulnerable-system", "open-rdp", port: 3389, minute: minute++));
        events.Add(Make(s_kortrijk.Id, RedIp, "c2-server", "c2-server", tlp: Tlp.Red, minute: minute));
        await _store.StoreEventsAsync(events, Ct);
    }

    NotificationService Service() => new(
        _store,
        new SmtpMailTransport(new SmtpOptions { Host = smtp.Host, Port = smtp.Port, Tls = SmtpTlsMode.None, From = "bounces@cert.example" }),
        new NotificationOptions { From = new MailboxAddress("CERT Test", "alerts@cert.example"), Interval = TimeSpan.FromHours(1) });

    static string BodyOf(MimeMessage m) => m.BodyParts.OfType<TextPart>().Single(p => !p.IsAttachment).Text;

    static string CsvOf(MimeMessage m)
    {
        var part = m.Attachments.OfType<MimePart>().Single();
        using var s = new MemoryStream();
        part.Content!.DecodeTo(s);
        return Encoding.UTF8.GetString(s.ToArray());
    }

    static List<string> CsvSourceIps(string csv)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(csv);
        var col = reader.Header.IndexOf("source.ip");
        var ips = new List<string>();
        foreach (var row in reader)
        {
            ips.Add(row[col].ToString());
        }
        return ips;
    }

    [Fact]
    public async Task RunOnceAsync_FourOrganisations_EachGetsOneDigestInItsLanguageWithOnlyItsEvents()
    {
        await SeedAsync();
        var service = Service();

        var summary = await service.RunOnceAsync(s_now, Ct);

        Assert.Equal(4, summary.Sent);
        Assert.Equal(0, summary.Failed);
        Assert.DoesNotContain(summary.Organisations, o => o.Organisation == s_quiet.Id);
        var ours = summary.Organisations.Select(o => o.MessageId).ToHashSet();
        var received = (await smtp.ReceivedAsync(Ct)).Where(m => ours.Contains(m.MessageId)).ToList();
        Assert.Equal(4, received.Count);

        var expected = new (Organisation Org, string[] Rcpt, string SubjectWord, string BodyWord)[]
        {
            (s_kortrijk, ["csirt@kortrijk.example", "abuse@kortrijk.example"], "Cyberdreigingsmelding voor Stad Kortrijk", "Geachte contactpersoon van Stad Kortrijk"),
            (s_namur, ["securite@namur.example", "soc@namur.example"], "Alerte de cybermenace pour Ville de Namur", "Madame, Monsieur"),
            (s_eupen, ["it@eupen.example"], "Cyberbedrohungswarnung für Stadt Eupen", "Sehr geehrte Damen und Herren"),
            (s_port, ["security@harbour.example"], "Cyber threat alert for Harbour Logistics", "Dear security contact of Harbour Logistics"),
        };
        foreach (var (org, rcpt, subjectWord, bodyWord) in expected)
        {
            var m = Assert.Single(received, m => m.Subject!.Contains(org.Name, StringComparison.Ordinal));
            Assert.Equal(rcpt, m.To.Mailboxes.Select(a => a.Address));
            // The envelope, as the server saw it (aiosmtpd's Maildir handler records it).
            Assert.Equal(rcpt.Order(), m.Headers["X-RcptTo"]!.Split(',', StringSplitOptions.TrimEntries).Order());
            Assert.Equal("bounces@cert.example", m.Headers["X-MailFrom"]);
            Assert.Equal("alerts@cert.example", m.From.Mailboxes.Single().Address);
            Assert.StartsWith("[TLP:AMBER]", m.Subject!);
            Assert.Contains(subjectWord, m.Subject);
            var body = BodyOf(m);
            Assert.Contains(bodyWord, body);
            var csv = CsvOf(m);
            Assert.Equal(s_ips[org.Id].Order(), CsvSourceIps(csv).Distinct().Order());

            var everything = m.Subject + "\n" + m.Headers + "\n" + body + "\n" + csv;
            foreach (var (other, ips) in s_ips.Where(kv => kv.Key != org.Id))
            {
                Assert.All(ips, ip => Assert.DoesNotContain(ip, everything));
                Assert.DoesNotContain(other, everything);
            }
            Assert.DoesNotContain(UnownedIp, everything);
            Assert.DoesNotContain(RedIp, everything);
        }
        var namur = received.Single(m => m.Subject!.Contains("Namur", StringComparison.Ordinal));
        Assert.Contains("Système infecté (logiciel malveillant : qakbot)", BodyOf(namur));
        Assert.Contains("3 problèmes détectés", namur.Subject);

        var second = await service.RunOnceAsync(s_now.AddHours(3), Ct);

        Assert.Empty(second.Organisations);
        Assert.Equal(4, (await smtp.ReceivedAsync(Ct)).Count(m => ours.Contains(m.MessageId)));
        var records = await _store.QueryNotificationsAsync(null, Ct).ToListAsync(Ct);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal("smtp", r.Channel));
        Assert.Equal(1, await _store.CountEventsAsync(new EventQuery { Organisation = s_kortrijk.Id, OnlyUnnotified = true }, Ct));
    }

    [Fact]
    public async Task SendAsync_NothingListening_TransientDeliveryException()
    {
        var digest = new DigestBuilder().Build(s_port, [Make(s_port.Id, "100.64.7.40", "vulnerable-system", "open-rdp")], s_now);
        var transport = new SmtpMailTransport(new SmtpOptions { Host = "127.0.0.1", Port = 1, Tls = SmtpTlsMode.None, Timeout = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<MailDeliveryException>(() => transport.SendAsync(digest.Message, Ct));

        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task SendAsync_StartTlsRequiredButNotOffered_FailsInsteadOfSendingInClear()
    {
        var before = (await smtp.ReceivedAsync(Ct)).Count;
        var digest = new DigestBuilder().Build(s_port, [Make(s_port.Id, "100.64.7.41", "vulnerable-system", "open-rdp", minute: 7)], s_now);
        var transport = new SmtpMailTransport(new SmtpOptions { Host = smtp.Host, Port = smtp.Port, Tls = SmtpTlsMode.StartTls });

        await Assert.ThrowsAsync<MailDeliveryException>(() => transport.SendAsync(digest.Message, Ct));

        Assert.Equal(before, (await smtp.ReceivedAsync(Ct)).Count);
    }
}
