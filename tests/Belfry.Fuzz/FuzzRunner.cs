using System.Diagnostics;

namespace Belfry.Fuzz;

/// <summary>Thrown by a target's check when an invariant (bound, status, record sanity) does not hold.</summary>
internal sealed class InvariantException(string message) : Exception(message);

/// <summary>What a run did, for the test output.</summary>
internal sealed record FuzzReport(string Target, long Iterations, TimeSpan Elapsed, long Failures);

/// <summary>
/// Runs one target: pick a seed input (or, now and then, plain random bytes), mutate it, call the
/// target on it. A target fails on any exception (the decoders report problems as statuses and
/// never throw) and on a broken invariant; a single call that runs longer than
/// <see cref="FuzzSettings.MaxCallTime"/> is reported as a loop without bound. The failing input
/// is written to <c>fuzz-findings/TARGET-SEED-ITERATION.bin</c> beside the test binary.
/// </summary>
internal static class FuzzRunner
{
    sealed class Progress
    {
        public long Iteration;
        public long CallStarted;
        public byte[]? Current;
    }

    public static async Task<FuzzReport> RunAsync(string target, IReadOnlyList<byte[]> seeds, Action<byte[]> call, long? iterations = null)
    {
        if (seeds.Count == 0)
        {
            throw new InvalidOperationException($"{target}: no seed inputs");
        }
        var seed = FuzzSettings.Seed ^ StableHash(target);
        var limit = iterations ?? FuzzSettings.Iterations;
        var budget = FuzzSettings.Seconds > 0 ? TimeSpan.FromSeconds(FuzzSettings.Seconds) : TimeSpan.MaxValue;
        var progress = new Progress();
        var started = Stopwatch.GetTimestamp();

        // Seeds first, unmutated: they must pass too (and they warm up the JIT before allocations are measured).
        foreach (var s in seeds)
        {
            Check(target, seed, -1, s, call);
        }

        var loop = Task.Factory.StartNew(
            () =>
            {
                var rng = new Random(seed);
                var mutator = new Mutator(rng);
                for (long i = 0; i < limit && Stopwatch.GetElapsedTime(started) < budget; i++)
                {
                    byte[] input;
                    if (rng.Next(50) == 0)
                    {
                        input = new byte[rng.Next(1_500)];
                        rng.NextBytes(input);
                    }
                    else
                    {
                        input = mutator.Mutate(seeds[rng.Next(seeds.Count)], seeds);
                    }
                    Volatile.Write(ref progress.Current, input);
                    Volatile.Write(ref progress.Iteration, i);
                    Volatile.Write(ref progress.CallStarted, Stopwatch.GetTimestamp());
                    Check(target, seed, i, input, call);
                }
                return Volatile.Read(ref progress.Iteration) + 1;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        while (!loop.IsCompleted)
        {
            await Task.WhenAny(loop, Task.Delay(250, TestContext.Current.CancellationToken));
            var callStarted = Volatile.Read(ref progress.CallStarted);
            if (!loop.IsCompleted && callStarted != 0 && Stopwatch.GetElapsedTime(callStarted) > FuzzSettings.MaxCallTime)
            {
                var input = Volatile.Read(ref progress.Current)!;
                var path = Save(target, seed, Volatile.Read(ref progress.Iteration), input);
                Assert.Fail($"{target}: one call has run for more than {FuzzSettings.MaxCallTime.TotalSeconds} s (a loop without bound?) on seed {seed} iteration {progress.Iteration}; input saved to {path}: {Convert.ToHexString(input)}");
            }
        }
        var done = await loop;
        return new FuzzReport(target, done, Stopwatch.GetElapsedTime(started), 0);
    }

    static void Check(string target, int seed, long iteration, byte[] input, Action<byte[]> call)
    {
        try
        {
            call(input);
        }
#pragma warning disable CA1031 // Every exception is the finding: reported with the input that caused it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var path = Save(target, seed, iteration, input);
            var what = ex is InvariantException ? "invariant broken" : "threw " + ex.GetType().Name;
            throw new Xunit.Sdk.XunitException($"{target}: {what} on seed {seed} iteration {iteration}: {ex.Message}\ninput saved to {path}: {Convert.ToHexString(input)}\n{ex}");
        }
    }

    static string Save(string target, int seed, long iteration, byte[] input)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "fuzz-findings");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{target}-{seed}-{iteration}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>A per-target seed offset that is the same in every process (string.GetHashCode is not).</summary>
    static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s)
        {
            h = unchecked((h * 31) + c);
        }
        return h;
    }
}
