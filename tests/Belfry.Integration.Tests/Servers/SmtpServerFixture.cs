using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Belfry.Integration.Tests.Servers;

/// <summary>
/// A real SMTP server on loopback for the test run: aiosmtpd (Debian package python3-aiosmtpd)
/// with its Maildir handler, on a free port, started once per collection and stopped at the end.
/// Each accepted message lands in a Maildir, with the envelope in X-MailFrom / X-RcptTo headers.
/// </summary>
/// <remarks>
/// The pattern for every server fixture here: find the binary or fail with the install command
/// (never skip), start it on a free loopback port with its state in a temp folder, wait until it
/// accepts connections (failing with its stderr if it exits), and kill the process tree on dispose.
/// </remarks>
public sealed class SmtpServerFixture : IAsyncLifetime
{
    /// <summary>
    /// Debian's interpreter, not whatever python3 is first on PATH (that may be a pyenv build
    /// without the distribution's site-packages). Overridable for other layouts.
    /// </summary>
    public static string Python => Environment.GetEnvironmentVariable("BELFRY_TEST_PYTHON") ?? "/usr/bin/python3";

    public const string Package = "python3-aiosmtpd";

    static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);

    Process? _process;
    readonly StringBuilder _stderr = new();

    public string Host => IPAddress.Loopback.ToString();
    public int Port { get; private set; }
    public string MaildirPath { get; } = Path.Combine(Path.GetTempPath(), "belfry-smtp-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        await RequireAiosmtpdAsync();
        Port = FreeTcpPort();
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"{Host}:{Port}", "-c", "aiosmtpd.handlers.Mailbox", MaildirPath })
        {
            psi.ArgumentList.Add(arg);
        }
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Python}.");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        await WaitForSmtpBannerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (Directory.Exists(MaildirPath))
        {
            Directory.Delete(MaildirPath, recursive: true);
        }
    }

    /// <summary>Every message the server has accepted so far.</summary>
    public async Task<IReadOnlyList<MimeMessage>> ReceivedAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<MimeMessage>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = Path.Combine(MaildirPath, sub);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                result.Add(await MimeMessage.LoadAsync(file, cancellationToken));
            }
        }
        return result;
    }

    static async Task RequireAiosmtpdAsync()
    {
        var hint = $"The SMTP integration tests need a real SMTP server: install it with 'apt-get install -y {Package}' "
            + "(or set BELFRY_TEST_PYTHON to a Python that has aiosmtpd).";
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} not found. {hint}");
        }
        var psi = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import aiosmtpd.handlers");
        using var probe = Process.Start(psi)!;
        var error = await probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync();
        if (probe.ExitCode != 0)
        {
            throw new InvalidOperationException($"aiosmtpd is not importable by {Python}: {error.Trim()} {hint}");
        }
    }

    static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    async Task WaitForSmtpBannerAsync()
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with code {_process.ExitCode} before accepting connections: {StderrText()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                var banner = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5));
                if (banner is not null && banner.StartsWith("220", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"aiosmtpd did not accept connections on {Host}:{Port} within {s_startTimeout.TotalSeconds} s: {StderrText()}");
            }
            await Task.Delay(100);
        }
    }

    string StderrText()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SmtpCollection : ICollectionFixture<SmtpServerFixture>
{
    public const string Name = "smtp";
}
