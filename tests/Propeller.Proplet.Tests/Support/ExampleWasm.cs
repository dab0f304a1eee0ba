using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Support;

/// <summary>The repository's example workloads as Wasm binaries (<c>.wat</c> compiled in process).</summary>
internal static class ExampleWasm
{
    /// <summary><c>add(i32, i32) -> i32</c>.</summary>
    public static byte[] Add { get; } = Load("add", "add.wat");

    /// <summary><c>loop()</c> never returns.</summary>
    public static byte[] Loop { get; } = Load("loop", "loop.wat");

    /// <summary><c>write()</c> creates <c>hello.txt</c> in the first preopened directory and returns the errno.</summary>
    public static byte[] Files { get; } = Load("files", "files.wat");

    /// <summary>A C program printing a greeting and its environment, one <c>KEY=VALUE</c> per line.</summary>
    public static byte[] HelloEnv { get; } = Load("hello-env", "hello_env.wasm");

    private static byte[] Load(params string[] parts)
    {
        var path = RepoPaths.Example(parts);
        return path.EndsWith(".wat", StringComparison.Ordinal)
            ? WatCompiler.ToWasm(File.ReadAllText(path))
            : File.ReadAllBytes(path);
    }
}
