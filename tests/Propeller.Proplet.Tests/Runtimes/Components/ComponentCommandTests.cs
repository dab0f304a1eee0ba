using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Components;

namespace Propeller.Proplet.Tests.Runtimes.Components;

public sealed class ComponentCommandTests : IDisposable
{
    private readonly ComponentRuntimeHarness _harness = new();

    [Theory]
    [InlineData("_start")]
    [InlineData("")]
    public async Task Run_CommandComponent_ReturnsStdoutThenStderr(string name) =>
        Assert.Equal(
            "Hello from a WASI P2 component\n\nwarning: this line went to stderr",
            await _harness.RunAsync(TestComponents.Command, name));

    [Fact]
    public async Task Run_CommandComponent_SeesTaskEnvAndPreopenedDirectories()
    {
        var directory = Directory.CreateTempSubdirectory("propeller-component-").FullName;
        try
        {
            var request = CoreRuntimeHarness.Request(TestComponents.Environment, "_start") with
            {
                Env = new Dictionary<string, string> { ["GREETING"] = "hola", ["PROPLET_ID"] = "p1" },
                PreopenDirs = [directory],
            };

            var output = await _harness.Runtime.RunAsync(request, CancellationToken.None);

            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["GREETING=hola", "PROPLET_ID=p1", $"preopen:{directory}"], lines.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task Run_CommandReturningErr_FailsWithStderr()
    {
        var request = CoreRuntimeHarness.Request(TestComponents.FailingCommand, "_start");
        var error = await Assert.ThrowsAsync<WasmExecutionException>(
            () => _harness.Runtime.RunAsync(request, CancellationToken.None));
        Assert.Equal(
            $"Component for task {request.TaskId} exited with error, stderr: warning: this line went to stderr",
            error.Message);
    }

    [Fact]
    public async Task Run_ComponentWithoutRunExport_FailsNamingIt()
    {
        var error = await _harness.ErrorOfAsync(TestComponents.Greet, "_start");
        Assert.StartsWith("Export 'wasi:cli/run' not found in component for task ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StdoutOverLimit_IsCappedAtLimit()
    {
        using var engine = new WasmtimeEngine();
        var runtime = new WasmtimeComponentRuntime(engine, new WasmRuntimeOptions { MaxOutputBytes = 10 });
        var output = await runtime.RunAsync(
            CoreRuntimeHarness.Request(TestComponents.Command, "_start"), CancellationToken.None);
        Assert.Equal("Hello from\nwarning: t", output);
    }

    [Fact]
    public async Task Run_InvalidComponent_FailsToCompile()
    {
        byte[] broken = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0xff];
        var error = await _harness.ErrorOfAsync(broken, "_start");
        Assert.StartsWith("Failed to compile Wasmtime component from binary: ", error, StringComparison.Ordinal);
    }

    public void Dispose() => _harness.Dispose();
}
