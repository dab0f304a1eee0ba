namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>A fact that needs clang-14 for wasm32-wasi: skipped without it, except under CI=true, where it fails.</summary>
public sealed class RequiresClangFactAttribute : FactAttribute
{
    public const string Compiler = "clang-14";

    public RequiresClangFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, Compiler)));
        if (!onPath && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"{Compiler} is not installed (apt-get install clang-14 lld-14 wasi-libc)";
        }
    }
}
