using BenchmarkDotNet.Running;

namespace Belfry.Benchmarks;

/// <summary>Hot-path benchmarks: `dotnet run -c Release --project bench/Belfry.Benchmarks -- --filter '*'`.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
