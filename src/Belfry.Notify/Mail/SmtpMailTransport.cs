using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Belfry.Notify.Mail;

/// <summary>
/// Sends through an SMTP relay with MailKit. One connection per message: digests go out at most
/// once per organisation per interval, so simplicity beats connection reuse here.
/// </summary>
public sealed class SmtpMailTransport : IMailTransport
{
    readonly SmtpOptions _options;
    readonly MailboxAddress? _sender;

    public SmtpMailTransport(SmtpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Port);
        _options = options;
        _sender = options.From is null ? null : MailboxAddress.Parse(options.From);
    }

    public string Channel => "smtp";

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        try
        {
            var tls = _options.Tls switch
            {
                SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
                SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(_options.Host, _options.Port, tls, cancellationToken).ConfigureAwait(false);
            if (_options.UserName is not null)
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }
            if (_sender is null)
            {
                await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes);
                await client.SendAsync(message, _sender, recipients, cancellationToken).ConfigureAwait(false);
            }
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException e)
        {
            // RFC 5321 §4.2.1: 4yz is a transient failure, 5yz a permanent one.
            var code = (int)e.StatusCode;
            throw new MailDeliveryException($"SMTP server {_options.Host}:{_options.Port} refused the message ({code}): {e.Message}", code is >= 400 and < 500, e);
        }
        catch (NotSupportedException e)
        {
            // e.g. STARTTLS required but not offered: a configuration mismatch, never downgraded to plain text.
            throw new MailDeliveryException($"SMTP server {_options.Host}:{_options.Port} cannot be used as configured: {e.Message}", false, e);
        }
        catch (AuthenticationException e)
        {
            throw new MailDeliveryException($"SMTP authentication to {_options.Host}:{_options.Port} failed: {e.Message}", false, e);
        }
        catch (Exception e) when (e is SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException or TimeoutException or SslHandshakeException)
        {
            throw new MailDeliveryException($"SMTP delivery to {_options.Host}:{_options.Port} failed: {e.Message}", true, e);
        }
    }
}
