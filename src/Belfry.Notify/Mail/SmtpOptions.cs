namespace Belfry.Notify.Mail;

public enum SmtpTlsMode
{
    /// <summary>Plain SMTP, no TLS (a relay on loopback or a trusted network only).</summary>
    None,

    /// <summary>Connect in plain text and upgrade with STARTTLS; fail if the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,
}

public sealed record SmtpOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 25;
    public SmtpTlsMode Tls { get; init; } = SmtpTlsMode.StartTls;
    public string? UserName { get; init; }
    public string? Password { get; init; }

    /// <summary>Envelope sender (MAIL FROM), e.g. a bounce address; the message's From when null.</summary>
    public string? From { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}
