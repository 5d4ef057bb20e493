using System.Text;
using MimeKit;

namespace Belfry.Notify.Mail;

/// <summary>
/// Writes each message as an RFC 5322 .eml file in a folder, for installations without an SMTP
/// relay (an operator sends them by hand, or another tool picks them up). Files appear atomically:
/// written under a temporary name, then renamed.
/// </summary>
public sealed class OutboxMailTransport : IMailTransport
{
    public OutboxMailTransport(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string Channel => "outbox";

    /// <summary>The file a message is (or will be) written to.</summary>
    public string PathFor(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stamp = message.Date.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var id = message.MessageId ?? Guid.NewGuid().ToString("N");
        var name = new StringBuilder(id.Length);
        foreach (var c in id)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }
        return Path.Combine(Directory, $"{stamp}-{name}.eml");
    }

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = PathFor(message);
        var temp = path + ".tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 16384, useAsync: true))
            {
                await message.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new MailDeliveryException($"Could not write '{path}': {e.Message}", e is IOException, e);
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
