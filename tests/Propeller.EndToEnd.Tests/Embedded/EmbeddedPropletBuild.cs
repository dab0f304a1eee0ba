using System.Diagnostics;
using Propeller.Testing;

namespace Propeller.EndToEnd.Tests.Embedded;

/// <summary>
/// Builds the C proplet's host build (<c>embedded/build-host</c>) once per test run with CMake, so the .NET suite
/// never runs a stale binary. The build is incremental: when scripts/test.sh has built it already, this is a no-op.
/// </summary>
internal static class EmbeddedPropletBuild
{
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    /// <summary>The path of <c>propeller-proplet-c</c>; a failed build fails the test with CMake's output.</summary>
    public static Task<string> PathAsync() => Binary.Value;

    private static async Task<string> BuildAsync()
    {
        var cmake = RequiredTool.Require("cmake");
        var source = Path.Combine(RepoPaths.Root, "embedded");
        var build = Path.Combine(source, "build-host");
        await RunAsync(cmake, ["-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"]);
        await RunAsync(cmake, ["--build", build, "--target", "propeller-proplet-c", "--parallel", "2"]);
        var binary = Path.Combine(build, "app", "propeller-proplet-c");
        return File.Exists(binary)
            ? binary
            : throw new Xunit.Sdk.XunitException($"CMake finished but {binary} does not exist");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }
}
