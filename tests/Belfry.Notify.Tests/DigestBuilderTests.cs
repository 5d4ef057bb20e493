using System.Text;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using MimeKit;
using static Belfry.Notify.Tests.TestData;

namespace Belfry.Notify.Tests;

public sealed class DigestBuilderTests
{
    static readonly DigestBuilder s_builder = new(new DigestOptions
    {
        From = new MailboxAddress("CERT Test", "alerts@cert.example"),
        Signature = "CERT Test team",
    });

    static string BodyOf(MimeMessage m) => m.BodyParts.OfType<TextPart>().Single(p => !p.IsAttachment).Text;

    static MimePart CsvOf(MimeMessage m) => m.Attachments.OfType<MimePart>().Single();

    static string CsvText(MimeMessage m)
    {
        using var s = new MemoryStream();
        CsvOf(m).Content!.DecodeTo(s);
        return Encoding.UTF8.GetString(s.ToArray());
    }

    static Event[] RdpEvents(string org) =>
    [
        Make(org, "192.0.2.10", "vulnerable-system", "open-rdp", port: 3389),
        Make(org, "192.0.2.11", "vulnerable-system", "open-rdp", port: 3389),
    ];

    [Theory]
    [InlineData(Language.Nl, "Cyberdreigingsmelding", "2 problemen gevonden", "Geachte contactpersoon", "Wat moet u doen?", "Bureaublad op afstand", "Met vriendelijke groeten")]
    [InlineData(Language.Fr, "Alerte de cybermenace", "2 problèmes détectés", "Madame, Monsieur", "Que faire ?", "bureau à distance", "Cordialement")]
    [InlineData(Language.De, "Cyberbedrohungswarnung", "2 Probleme gefunden", "Sehr geehrte Damen und Herren", "Was ist zu tun?", "Remote-Desktop-Dienst", "Mit freundlichen Grüßen")]
    [InlineData(Language.En, "Cyber threat alert", "2 problems found", "Dear security contact", "What to do:", "Remote desktop service", "Kind regards")]
    public void Build_Language_SubjectAndBodyInThatLanguage(Language language, string subjectWord, string count, string greeting, string whatToDo, string rdpTitle, string regards)
    {
        var org = NewOrg("0200000043", "Stad Brügge Ōpen", language);

        var digest = s_builder.Build(org, RdpEvents(org.Id), Now);

        var subject = digest.Message.Subject;
        Assert.Contains(subjectWord, subject);
        Assert.Contains("Stad Brügge Ōpen", subject);
        Assert.Contains(count, subject);
        Assert.StartsWith("[TLP:AMBER]", subject);
        var body = BodyOf(digest.Message);
        Assert.StartsWith("TLP:AMBER\n", body);
        Assert.Contains(greeting, body);
        Assert.Contains(whatToDo, body);
        Assert.Contains(rdpTitle, body);
        Assert.Contains(regards, body);
        Assert.Contains("CERT Test team", body);
        Assert.Contains("192.0.2.10:3389", body);
        var text = digest.Message.BodyParts.OfType<TextPart>().Single(p => !p.IsAttachment);
        Assert.Equal(language switch { Language.Nl => "nl", Language.Fr => "fr", Language.De => "de", _ => "en" }, text.Headers[HeaderId.ContentLanguage]);
    }

    [Theory]
    [InlineData(Language.Nl, "What to do:", "Que faire ?", "Was ist zu tun?")]
    [InlineData(Language.Fr, "What to do:", "Wat moet u doen?", "Was ist zu tun?")]
    [InlineData(Language.De, "What to do:", "Wat moet u doen?", "Que faire ?")]
    [InlineData(Language.En, "Wat moet u doen?", "Que faire ?", "Was ist zu tun?")]
    public void Build_Language_NoOtherLanguageMixedIn(Language language, string other1, string other2, string other3)
    {
        var org = NewOrg("0200000043", "Acme", language);

        var body = BodyOf(s_builder.Build(org, RdpEvents(org.Id), Now).Message);

        Assert.DoesNotContain(other1, body);
        Assert.DoesNotContain(other2, body);
        Assert.DoesNotContain(other3, body);
    }

    [Fact]
    public void Build_OneEvent_SingularInSubject()
    {
        var org = NewOrg("0200000043", "Acme", Language.Nl);

        var digest = s_builder.Build(org, [Make(org.Id, "192.0.2.1", "vulnerable-system", "open-telnet", port: 23)], Now);

        Assert.Contains("1 probleem gevonden", digest.Message.Subject);
        Assert.Contains("1 waarneming", BodyOf(digest.Message));
    }

    [Fact]
    public void Build_MixedKinds_GroupsByTypeIdentifierAndMalware()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        Event[] events =
        [
            Make(org.Id, "192.0.2.1", "vulnerable-system", "open-rdp", port: 3389),
            Make(org.Id, "192.0.2.2", "vulnerable-system", "open-rdp", port: 3389),
            Make(org.Id, "192.0.2.3", "vulnerable-system", "open-rdp", port: 3389),
            Make(org.Id, "192.0.2.4", "vulnerable-system", "dns-open-resolver", port: 53),
            Make(org.Id, "192.0.2.5", "vulnerable-system", "dns-open-resolver", port: 53),
            Make(org.Id, "192.0.2.6", "infected-system", "mirai", malware: "mirai"),
            Make(org.Id, "192.0.2.6", "infected-system", "mirai", malware: "mirai", time: new DateTime(2025, 3, 3, 13, 0, 0, DateTimeKind.Utc)),
            Make(org.Id, "192.0.2.7", "infected-system", "emotet", malware: "emotet"),
            Make(org.Id, "192.0.2.8", "phishing", null, url: "https://login.example.com/bank"),
        ];

        var digest = s_builder.Build(org, events, Now);

        Assert.Equal(9, digest.EventCount);
        var groups = digest.Groups.Select(g => (g.Type, g.Identifier, g.Malware, g.Count, g.Topic)).ToList();
        Assert.Equal(
        [
            ("vulnerable-system", "open-rdp", null, 3, "remote-desktop"),
            ("infected-system", "mirai", "mirai", 2, "infected"),
            ("vulnerable-system", "dns-open-resolver", null, 2, "dns-resolver"),
            ("infected-system", "emotet", "emotet", 1, "infected"),
            ("phishing", null, null, 1, "phishing"),
        ], groups);
        var mirai = digest.Groups.Single(g => g.Malware == "mirai");
        Assert.Equal(["192.0.2.6"], mirai.Addresses);
        var body = BodyOf(digest.Message);
        Assert.Contains("Infected system (malware: mirai)", body);
        Assert.Contains("Open DNS resolver", body);
        Assert.Contains("3 observations", body);
    }

    [Fact]
    public void Build_ManyAddresses_ListsFirstFiveAndCountsTheRest()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        var events = Enumerable.Range(1, 8)
            .Select(i => Make(org.Id, $"198.51.100.{i}", "vulnerable-system", "open-memcached", port: 11211, time: Now.AddHours(-10 + i)))
            .Reverse()
            .ToArray();

        var digest = s_builder.Build(org, events, Now);

        var group = Assert.Single(digest.Groups);
        Assert.Equal(5, group.Addresses.Count);
        Assert.Equal(8, group.AddressCount);
        var body = BodyOf(digest.Message);
        Assert.Contains("198.51.100.1:11211, 198.51.100.2:11211, 198.51.100.3:11211, 198.51.100.4:11211, 198.51.100.5:11211 and 3 more", body);
        Assert.DoesNotContain("198.51.100.6", body);
        Assert.Contains("-U 0", body);
    }

    [Fact]
    public void Build_UnknownIdentifier_FallsBackToTypeThenTaxonomyAdvice()
    {
        var org = NewOrg("0200000043", "Acme", Language.Fr);
        Event[] events =
        [
            Make(org.Id, "192.0.2.1", "brute-force", "something-new"),
            Make(org.Id, "192.0.2.2", "exploit", "something-else"),
            Make(org.Id, "192.0.2.3", "vulnerable-system", "open-newproto"),
        ];

        var digest = s_builder.Build(org, events, Now);

        Assert.Equal(["scanner", "intrusion-attempt", "exposed-service"], digest.Groups.OrderBy(g => g.Addresses[0]).Select(g => g.Topic));
        var body = BodyOf(digest.Message);
        Assert.Contains("Système qui scanne ou attaque d'autres systèmes", body);
        Assert.Contains("Tentative d'intrusion", body);
        Assert.Contains("Service vulnérable ou exposé", body);
    }

    [Fact]
    public void Build_CsvAttachment_ParsesBackWithExactlyTheOrganisationsEvents()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        Event[] events =
        [
            Make(org.Id, "192.0.2.1", "vulnerable-system", "open-rdp", port: 3389, extra: [("extra.banner", "RDP \"secure\", v10\nline two é")]),
            Make(org.Id, "2001:db8::5", "infected-system", "mirai", malware: "mirai", time: new DateTime(2025, 3, 2, 8, 0, 0, DateTimeKind.Utc)),
            Make(org.Id, "192.0.2.3", "phishing", null, url: "http://bad.example.org/a,b?x=1", time: new DateTime(2025, 3, 3, 14, 0, 0, DateTimeKind.Utc), extra: [("extra.user_agent", "=HYPERLINK(\"x\")")]),
        ];

        var digest = s_builder.Build(org, events, Now);

        var part = CsvOf(digest.Message);
        Assert.Equal("belfry-0200000043-2025-03-04.csv", part.FileName);
        Assert.Equal("text/csv", part.ContentType.MimeType);
        Assert.Equal("utf-8", part.ContentType.Charset);
        var (header, rows) = ReadCsv(CsvText(digest.Message));
        Assert.Equal(
            ["time.source", "classification.taxonomy", "classification.type", "classification.identifier", "source.ip", "source.port",
             "source.asn", "source.fqdn", "source.url", "destination.ip", "destination.port", "protocol.transport",
             "protocol.application", "malware.name", "feed.name", "extra.banner", "extra.organisation", "extra.user_agent"],
            header);
        Assert.Equal(3, rows.Count);
        // Sorted by time.source: the mirai event (2 March) comes first.
        Assert.Equal(["2001:db8::5", "192.0.2.1", "192.0.2.3"], rows.Select(r => r["source.ip"]));
        Assert.Equal("2025-03-02T08:00:00+00:00", rows[0]["time.source"]);
        Assert.Equal("malicious-code", rows[0]["classification.taxonomy"]);
        Assert.Equal("mirai", rows[0]["malware.name"]);
        Assert.Equal("3389", rows[1]["source.port"]);
        Assert.Equal("RDP \"secure\", v10\nline two é", rows[1]["extra.banner"]);
        Assert.Equal("", rows[0]["extra.banner"]);
        Assert.Equal("http://bad.example.org/a,b?x=1", rows[2]["source.url"]);
        Assert.Equal("'=HYPERLINK(\"x\")", rows[2]["extra.user_agent"]);
        Assert.All(rows, r => Assert.Equal("0200000043", r["extra.organisation"]));
    }

    [Fact]
    public void Build_PhishingUrl_DefangedInBodyButRealInCsv()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);

        var digest = s_builder.Build(org, [Make(org.Id, "192.0.2.3", "phishing", null, url: "https://login.bank.example/x.php")], Now);

        var body = BodyOf(digest.Message);
        Assert.Contains("hxxps://login[.]bank[.]example/x.php", body);
        Assert.DoesNotContain("https://login.bank.example", body);
        Assert.Contains("https://login.bank.example/x.php", CsvText(digest.Message));
    }

    [Fact]
    public void Build_EventOfAnotherOrganisation_Throws()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        Event[] events = [.. RdpEvents(org.Id), Make("0300000016", "203.0.113.9", "vulnerable-system", "open-rdp", port: 3389)];

        var ex = Assert.Throws<ArgumentException>(() => s_builder.Build(org, events, Now));
        Assert.Contains("0300000016", ex.Message);
    }

    [Fact]
    public void Build_EventWithoutOrganisation_Throws()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);

        Assert.Throws<ArgumentException>(() => s_builder.Build(org, [Make(null, "203.0.113.9", "vulnerable-system", "open-rdp")], Now));
    }

    [Fact]
    public void Build_RedAndAmberStrictEvents_LeftOutEverywhere()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        Event[] events =
        [
            Make(org.Id, "192.0.2.1", "vulnerable-system", "open-rdp", port: 3389, tlp: Tlp.Amber),
            Make(org.Id, "192.0.2.2", "vulnerable-system", "open-smb", port: 445, tlp: Tlp.Green),
            Make(org.Id, "192.0.2.66", "c2-server", "c2-server", tlp: Tlp.Red),
            Make(org.Id, "192.0.2.77", "c2-server", "c2-server", tlp: Tlp.AmberStrict),
        ];

        var digest = s_builder.Build(org, events, Now);

        Assert.Equal(2, digest.EventCount);
        Assert.Equal(2, digest.ExcludedByTlp);
        Assert.Equal(Tlp.Amber, digest.Tlp);
        Assert.DoesNotContain(events[2].Id, digest.EventIds);
        Assert.DoesNotContain(events[3].Id, digest.EventIds);
        var everything = digest.Message.ToString();
        Assert.DoesNotContain("192.0.2.66", everything);
        Assert.DoesNotContain("192.0.2.77", everything);
        Assert.DoesNotContain("192.0.2.66", CsvText(digest.Message));
        Assert.DoesNotContain("192.0.2.77", CsvText(digest.Message));
        Assert.DoesNotContain("command-and-control", BodyOf(digest.Message));
        Assert.Contains("2 problems found", digest.Message.Subject);
    }

    [Fact]
    public void Build_OnlyGreenEvents_MarkedTlpGreen()
    {
        var org = NewOrg("0200000043", "Acme", Language.De);

        var digest = s_builder.Build(org, [Make(org.Id, "192.0.2.1", "vulnerable-system", "open-ssdp", tlp: Tlp.Green)], Now);

        Assert.StartsWith("[TLP:GREEN]", digest.Message.Subject);
        Assert.Contains("als TLP:GREEN eingestuft", BodyOf(digest.Message));
    }

    [Fact]
    public void TryBuild_OnlyRedEvents_ReturnsFalse()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);

        var built = s_builder.TryBuild(org, [Make(org.Id, "192.0.2.1", "c2-server", null, tlp: Tlp.Red)], Now, out var digest);

        Assert.False(built);
        Assert.Null(digest);
    }

    [Fact]
    public void Build_Headers_FromToMessageIdAndDate()
    {
        var org = NewOrg("0200000043", "Acme", Language.En,
            new Contact("soc@acme.example", "security", "SOC"),
            new Contact("abuse@acme.example", "abuse"),
            new Contact("ceo@acme.example", "management"));

        var digest = s_builder.Build(org, RdpEvents(org.Id), Now);

        var m = digest.Message;
        Assert.Equal("alerts@cert.example", Assert.Single(m.From.Mailboxes).Address);
        Assert.Equal(["soc@acme.example", "abuse@acme.example"], m.To.Mailboxes.Select(a => a.Address));
        Assert.StartsWith("digest.0200000043.", m.MessageId);
        Assert.EndsWith("@cert.example", m.MessageId);
        Assert.Equal(new DateTimeOffset(Now), m.Date);
        Assert.Equal("auto-generated", m.Headers["Auto-Submitted"]);
    }

    [Fact]
    public void Build_SameEventsInAnotherOrder_SameMessageIdAndAttachment()
    {
        var org = NewOrg("0200000043", "Acme", Language.En);
        var events = RdpEvents(org.Id);

        var a = s_builder.Build(org, events, Now);
        var b = s_builder.Build(org, Enumerable.Reverse(events), Now);
        var c = s_builder.Build(org, events.Take(1), Now);

        Assert.Equal(a.MessageId, b.MessageId);
        Assert.Equal(CsvText(a.Message), CsvText(b.Message));
        Assert.NotEqual(a.MessageId, c.MessageId);
    }

    [Fact]
    public void SelectRecipients_NoSecurityOrAbuseRole_AllValidContacts()
    {
        var org = NewOrg("0200000043", "Acme", Language.En,
            new Contact("it@acme.example", "technical"),
            new Contact("not an address", "technical"),
            new Contact("IT@acme.example", "billing"),
            new Contact("boss@acme.example", "management"));

        var recipients = DigestBuilder.SelectRecipients(org);

        Assert.Equal(["it@acme.example", "boss@acme.example"], recipients.Select(r => r.Address));
    }

    [Fact]
    public void Build_NoContacts_Throws()
    {
        var org = NewOrg("0200000043", "Acme", Language.En) with { Contacts = [] };

        Assert.Throws<InvalidOperationException>(() => s_builder.Build(org, RdpEvents(org.Id), Now));
    }
}
