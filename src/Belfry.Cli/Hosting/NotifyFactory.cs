using Belfry.Notify;
using Belfry.Notify.Mail;
using MimeKit;

namespace Belfry.Cli.Hosting;

/// <summary>Turns the data folder's settings into a notification service: SMTP when configured, else the outbox.</summary>
static class NotifyFactory
{
    public const string SmtpPasswordVariable = "BELFRY_SMTP_PASSWORD";

    public static NotificationService Create(BelfryHost host, bool dryRun)
    {
        SmtpOptions? smtp = null;
        if (host.Config.Smtp is { } s)
        {
            smtp = new SmtpOptions
            {
                Host = s.Host,
                Port = s.Port,
                Tls = s.Security.ToLowerInvariant() switch
                {
                    "none" => SmtpTlsMode.None,
                    "starttls" => SmtpTlsMode.StartTls,
                    "ssl" or "tls" or "smtps" => SmtpTlsMode.SslOnConnect,
                    _ => throw new CliException($"smtp.security '{s.Security}': use none, starttls or ssl"),
                },
                UserName = s.Username,
                Password = Environment.GetEnvironmentVariable(SmtpPasswordVariable),
            };
        }
        if (!MailboxAddress.TryParse(host.Config.Notify.From, out var from))
        {
            throw new CliException($"notify.from '{host.Config.Notify.From}' is not an e-mail address");
        }
        var transport = MailTransports.Create(smtp, host.OutboxFolder);
        return new NotificationService(host.Store, transport, new NotificationOptions
        {
            Interval = host.Config.Notify.Interval,
            From = from,
            Signature = from.Name is { Length: > 0 } n ? n : "Belfry CSIRT",
            DryRun = dryRun,
        });
    }
}
