using Propeller.Proplet.Runtimes;

namespace Propeller.Benchmarks;

/// <summary>The guests the benchmarks run, from the repository's examples.</summary>
internal static class BenchmarkWasm
{
    public static byte[] Add => WatCompiler.ToWasm(File.ReadAllText(Path.Combine(Examples, "add", "add.wat")));

    /// <summary>The <c>greet</c> component (component text format).</summary>
    public static byte[] Greet => WatCompiler.ToWasm(File.ReadAllText(Path.Combine(Examples, "greet", "greet.wat")));

    /// <summary>A real C program (wasi-libc), so compilation has something to chew on.</summary>
    public static byte[] HelloEnv => File.ReadAllBytes(Path.Combine(Examples, "hello-env", "hello_env.wasm"));

    private static string Examples
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "examples");
                if (File.Exists(Path.Combine(directory.FullName, "Propeller.slnx")) && Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("Run the benchmarks from inside the repository (examples/ not found).");
        }
    }
}
