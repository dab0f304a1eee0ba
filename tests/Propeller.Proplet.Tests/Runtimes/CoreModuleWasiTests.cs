using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>WASI preview 1 context of core modules: env, preopens, captured output and proc_exit.</summary>
public sealed class CoreModuleWasiTests : IDisposable
{
    private readonly CoreRuntimeHarness _harness = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("propeller-wasi-");

    public void Dispose()
    {
        _harness.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task RunAsync_CGuest_SeesExactlyTheRequestEnv()
    {
        var request = CoreRuntimeHarness.Request(TestWasm.Example("hello-env/hello_env.wasm"), "_start") with
        {
            Env = new Dictionary<string, string> { ["PROPLET_ID"] = "P1", ["K"] = "V" },
        };

        var output = await _harness.Runtime.RunAsync(request, CancellationToken.None);

        Assert.Equal("Hello from Propeller!\nK=V\nPROPLET_ID=P1\n", output);
    }

    [Fact]
    public async Task RunAsync_PreopenedDirectory_IsWritableAtTheSamePath()
    {
        var request = CoreRuntimeHarness.Request(TestWasm.Example("files/files.wat"), "write") with
        {
            PreopenDirs = [_directory.FullName],
        };

        Assert.Equal("0", await _harness.Runtime.RunAsync(request, CancellationToken.None));
        Assert.Equal(
            "written by a wasm guest\n",
            await File.ReadAllTextAsync(Path.Combine(_directory.FullName, "hello.txt")));
    }

    [Fact]
    public async Task RunAsync_MissingPreopenDirectory_ReportsInstantiateError()
    {
        var missing = Path.Combine(_directory.FullName, "missing");
        var request = CoreRuntimeHarness.Request(TestWasm.Example("files/files.wat"), "write") with
        {
            PreopenDirs = [missing],
        };

        var error = await _harness.ErrorOfAsync(request);

        Assert.StartsWith("Failed to instantiate Wasmtime module: ", error, StringComparison.Ordinal);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StdoutOverLimit_KeepsExactlyTheFirstMebibyte()
    {
        var output = await _harness.RunAsync(TestWasm.Flood(chunks: 20), "flood");

        Assert.Equal(WasmRuntimeOptions.DefaultMaxOutputBytes, output.Length);
        Assert.True(output.All(c => c == 'x'));
    }

    [Fact]
    public async Task RunAsync_ProcExitZero_SucceedsWithOutputSoFar()
    {
        Assert.Equal("partial\n", await _harness.RunAsync(TestWasm.ExitWith(0), "exit"));
    }

    [Fact]
    public async Task RunAsync_ProcExitNonZero_ReportsStatusAndStderr()
    {
        Assert.Equal(
            "Process exited with status: 3, stderr: boom",
            await _harness.ErrorOfAsync(TestWasm.ExitWith(3), "exit"));
    }
}
