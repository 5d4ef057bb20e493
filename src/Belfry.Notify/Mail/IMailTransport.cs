using MimeKit;

namespace Belfry.Notify.Mail;

/// <summary>Delivers a built message: to an SMTP relay, or to an outbox folder.</summary>
public interface IMailTransport
{
    /// <summary>Recorded with each notification: "smtp" or "outbox".</summary>
    string Channel { get; }

    /// <exception cref="MailDeliveryException">The message was not delivered.</exception>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default);
}

/// <summary>Thrown when a message could not be delivered; <see cref="IsTransient"/> says whether a later retry may succeed.</summary>
public sealed class MailDeliveryException : Exception
{
    public MailDeliveryException(string message, bool isTransient, Exception? inner = null)
        : base(message, inner) => IsTransient = isTransient;

    public MailDeliveryException()
    {
    }

    public MailDeliveryException(string message)
        : base(message)
    {
    }

    public MailDeliveryException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public bool IsTransient { get; }
}

public static class MailTransports
{
    /// <summary>SMTP when a host is configured, else the outbox folder.</summary>
    public static IMailTransport Create(SmtpOptions? smtp, string outboxDirectory) =>
        smtp is not null && !string.IsNullOrWhiteSpace(smtp.Host)
            ? new SmtpMailTransport(smtp)
            : new OutboxMailTransport(outboxDirectory);
}
