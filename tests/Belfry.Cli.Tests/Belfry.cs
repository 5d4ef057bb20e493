using System.Diagnostics;

namespace Belfry.Cli.Tests;

/// <summary>Runs the built `belfry` (belfry.dll beside the tests) in a temporary data folder.</summary>
public sealed class Belfry : IDisposable
{
    public Belfry() => Directory.CreateDirectory(DataFolder);

    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "belfry-cli-test-" + Guid.NewGuid().ToString("N"));

    public sealed record Result(int ExitCode, string Out, string Err);

    public Result Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs belfry with <paramref name="workingDirectory"/> as its current folder (null: the test's).</summary>
    public Result RunIn(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "belfry.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add("--data");
        psi.ArgumentList.Add(DataFolder);
        // The program finds nothing of shared/ on its own: tests pass shared files by path.
        psi.Environment.Remove("BELFRY_SHARED");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"belfry {string.Join(' ', args)} did not finish");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The read-only shared folder (samples, schemas), found above the test binaries or by BELFRY_SHARED.</summary>
static class SharedFiles
{
    static readonly Lazy<string> s_root = new(() =>
    {
        var env = Environment.GetEnvironmentVariable("BELFRY_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(System.IO.Path.Combine(env, "reference")))
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(System.IO.Path.Combine(dir.FullName, "shared", "reference")))
            {
                return System.IO.Path.Combine(dir.FullName, "shared");
            }
        }
        throw new DirectoryNotFoundException("shared/ not found: set BELFRY_SHARED");
    });

    public static string Root => s_root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
