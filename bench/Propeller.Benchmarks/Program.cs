using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Propeller.Benchmarks;

internal static class Program
{
    // The generated benchmark project builds the whole stack (CLI, manager, proxy, proplet); on two busy cores that
    // can take longer than BenchmarkDotNet's default two minutes.
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15)));
}
