using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Belfry.Mitigation.GoBgp;

/// <summary>The outcome of one gobgp command.</summary>
public sealed record GoBgpRunResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs the gobgp CLI. An interface so that tests can check commands without a daemon.</summary>
public interface IGoBgpRunner
{
    /// <exception cref="MitigationException">The program could not be started or did not finish in time.</exception>
    Task<GoBgpRunResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default);
}

/// <summary>Runs gobgp as a child process with an argument list (no shell) and a time limit.</summary>
public sealed class GoBgpProcessRunner(string program, TimeSpan timeout) : IGoBgpRunner
{
    public const string Package = "gobgpd";

    public GoBgpProcessRunner(BgpOptions options) : this(options?.GoBgpPath ?? "gobgp", options?.CommandTimeout ?? TimeSpan.FromSeconds(10))
    {
    }

    public string Program { get; } = program;

    public async Task<GoBgpRunResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new MitigationException($"Could not start {Program}.");
        }
        catch (Win32Exception e)
        {
            throw new MitigationException(
                $"Could not run '{Program}': {e.Message}. Install GoBGP with 'apt-get install -y {Package}' or set BgpOptions.GoBgpPath.", e);
        }
        using (process)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
            var stderr = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                return new GoBgpRunResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            }
            catch (OperationCanceledException e)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }
                cancellationToken.ThrowIfCancellationRequested();
                throw new MitigationException(
                    $"'{GoBgpCommand.ToDisplayString(Program, arguments)}' did not finish within {timeout.TotalSeconds} s.", e);
            }
        }
    }
}
