using Belfry.Pipeline;

namespace Belfry.Cli.Output;

/// <summary>
/// One-line progress on standard error for long inputs; silent when stderr is redirected or
/// with --json, so scripts see only the summary.
/// </summary>
sealed class ProgressBar : IProgress<IngestProgress>, IDisposable
{
    const long MinBytes = 4 << 20;
    readonly bool _enabled;
    long _lastTick;
    bool _drawn;

    public ProgressBar(bool enabled) => _enabled = enabled && !Console.IsErrorRedirected;

    public void Report(IngestProgress value)
    {
        if (!_enabled || value.BytesTotal < MinBytes)
        {
            return;
        }
        var now = Environment.TickCount64;
        if (now - _lastTick < 200 && value.BytesRead < value.BytesTotal)
        {
            return;
        }
        _lastTick = now;
        var fraction = Math.Clamp(value.BytesTotal == 0 ? 1 : (double)value.BytesRead / value.BytesTotal, 0, 1);
        const int width = 30;
        var filled = (int)(fraction * width);
        var name = Path.GetFileName(value.File);
        if (name.Length > 32)
        {
            name = "…" + name[^31..];
        }
        Console.Error.Write($"\r{name,-32} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} {value.Events,12:N0} events");
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn)
        {
            Console.Error.WriteLine();
        }
    }
}
