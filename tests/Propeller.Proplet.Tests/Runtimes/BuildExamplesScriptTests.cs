using System.Diagnostics;

using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>The committed C examples are what scripts/build-examples.sh produces.</summary>
public sealed class BuildExamplesScriptTests : IDisposable
{
    private readonly CoreRuntimeHarness _harness = new();
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("propeller-examples-");

    public void Dispose()
    {
        _harness.Dispose();
        _output.Delete(recursive: true);
    }

    [Fact]
    public async Task BuildExamples_IntoOutputDir_RebuildsHelloEnvThatRunsIdentically()
    {
        var (exitCode, log) = await RunScriptAsync(_output.FullName);
        Assert.True(exitCode == 0, $"build-examples.sh exited with {exitCode}:\n{log}");

        var rebuilt = await File.ReadAllBytesAsync(Path.Combine(_output.FullName, "hello-env", "hello_env.wasm"));
        var committed = TestWasm.Example("hello-env/hello_env.wasm");
        var env = new Dictionary<string, string> { ["PROPLET_ID"] = "P1", ["GREETING"] = "hi there" };

        var fromRebuilt = await RunWithEnvAsync(rebuilt, env);
        var fromCommitted = await RunWithEnvAsync(committed, env);

        Assert.Equal("Hello from Propeller!\nGREETING=hi there\nPROPLET_ID=P1\n", fromRebuilt);
        Assert.Equal(fromCommitted, fromRebuilt);
    }

    private Task<string> RunWithEnvAsync(byte[] wasm, Dictionary<string, string> env) =>
        _harness.Runtime.RunAsync(CoreRuntimeHarness.Request(wasm, "_start") with { Env = env }, CancellationToken.None);

    private static async Task<(int ExitCode, string Log)> RunScriptAsync(string outputDirectory)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "build-examples.sh"));
        start.ArgumentList.Add(outputDirectory);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
