using System.Globalization;

namespace Belfry.Fuzz;

/// <summary>
/// How long each target is fuzzed. Defaults keep the suite quick and deterministic (fixed seed,
/// fixed iteration count). For a long run:
/// <c>BELFRY_FUZZ_SECONDS=600 dotnet test --project tests/Belfry.Fuzz -c Release</c> (per target; the
/// iteration count then only stops the run when reached first), <c>BELFRY_FUZZ_ITERATIONS=N</c>, and
/// <c>BELFRY_FUZZ_SEED=S</c> to explore other inputs. A failure names the seed and iteration and
/// writes the input to <c>fuzz-findings/</c> beside the test binary.
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultSeed = 20_261_203;
    public const int DefaultIterations = 25_000;

    public static int Seed { get; } = Read("BELFRY_FUZZ_SEED", DefaultSeed);

    /// <summary>Iterations per target (with a time budget: a cap).</summary>
    public static long Iterations { get; } = Read("BELFRY_FUZZ_ITERATIONS", Seconds > 0 ? long.MaxValue : DefaultIterations);

    /// <summary>Time budget per target; 0: iterations only.</summary>
    public static double Seconds => Read("BELFRY_FUZZ_SECONDS", 0.0);

    /// <summary>A single call that takes longer than this is taken for a loop without bound.</summary>
    public static TimeSpan MaxCallTime { get; } = TimeSpan.FromSeconds(5);

    static T Read<T>(string name, T fallback)
        where T : ISpanParsable<T>
    {
        var v = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(v) ? fallback : T.Parse(v, CultureInfo.InvariantCulture);
    }
}
