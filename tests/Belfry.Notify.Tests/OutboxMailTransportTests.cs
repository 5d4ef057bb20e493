using Belfry.Core.Constituency;
using Belfry.Notify.Mail;
using MimeKit;
using static Belfry.Notify.Tests.TestData;

namespace Belfry.Notify.Tests;

public sealed class OutboxMailTransportTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "belfry-outbox-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task SendAsync_Digest_WritesEmlThatParsesBack()
    {
        var org = NewOrg("0200000043", "Ville de Liège", Language.Fr);
        var digest = new DigestBuilder().Build(org,
        [
            Make(org.Id, "192.0.2.1", "vulnerable-system", "open-rdp", port: 3389),
            Make(org.Id, "192.0.2.2", "infected-system", "mirai", malware: "mirai"),
        ], Now);
        var outbox = new OutboxMailTransport(_dir);

        await outbox.SendAsync(digest.Message, TestContext.Current.CancellationToken);

        var file = Assert.Single(Directory.GetFiles(_dir));
        Assert.EndsWith(".eml", file);
        Assert.Equal(outbox.PathFor(digest.Message), file);
        var back = await MimeMessage.LoadAsync(file, TestContext.Current.CancellationToken);
        Assert.Equal("[TLP:AMBER] Alerte de cybermenace pour Ville de Liège : 2 problèmes détectés", back.Subject);
        Assert.Equal(digest.MessageId, back.MessageId);
        Assert.Equal("security@0200000043.example", Assert.Single(back.To.Mailboxes).Address);
        var body = back.BodyParts.OfType<TextPart>().Single(p => !p.IsAttachment).Text;
        Assert.Contains("Madame, Monsieur,", body);
        Assert.Contains("Système infecté (logiciel malveillant : mirai)", body);
        var csv = Assert.Single(back.Attachments.OfType<MimePart>());
        Assert.Equal("belfry-0200000043-2025-03-04.csv", csv.FileName);
        using var s = new MemoryStream();
        await csv.Content!.DecodeToAsync(s, TestContext.Current.CancellationToken);
        var (_, rows) = ReadCsv(System.Text.Encoding.UTF8.GetString(s.ToArray()));
        Assert.Equal(["192.0.2.1", "192.0.2.2"], rows.Select(r => r["source.ip"]).Order());
    }

    [Fact]
    public async Task SendAsync_TwoDigests_TwoFilesAndNoTemporaryLeft()
    {
        var a = NewOrg("0200000043", "A", Language.En);
        var b = NewOrg("0300000016", "B", Language.Nl);
        var builder = new DigestBuilder();
        var outbox = new OutboxMailTransport(_dir);

        await outbox.SendAsync(builder.Build(a, [Make(a.Id, "192.0.2.1", "vulnerable-system", "open-rdp")], Now).Message, TestContext.Current.CancellationToken);
        await outbox.SendAsync(builder.Build(b, [Make(b.Id, "198.51.100.1", "vulnerable-system", "open-rdp")], Now).Message, TestContext.Current.CancellationToken);

        var files = Directory.GetFiles(_dir);
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.EndsWith(".eml", f));
    }
}
