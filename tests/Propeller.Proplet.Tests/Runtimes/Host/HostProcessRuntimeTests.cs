using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Host;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Host;

/// <summary>The host runtime driving a real external runtime: Node's WASI behind a shell wrapper.</summary>
public sealed class HostProcessRuntimeTests
{
    private static readonly byte[] FailWithStderr = WatCompiler.ToWasm("""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "boom: bad input\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 16))
            (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $proc_exit (i32.const 3))))
        """);

    [Fact]
    public async Task RunAsync_AddExport_ReturnsRawStdout()
    {
        using var node = NodeWasiRuntime.Create();

        var output = await Runtime(node).RunAsync(Request(ExampleWasm.Add, "add", "10", "20"), CancellationToken.None);

        Assert.Equal("30\n", output);
    }

    [Fact]
    public async Task RunAsync_HelloEnv_GuestAndChildSeePropletIdButNoProcessSecrets()
    {
        using var node = NodeWasiRuntime.Create();

        var previous = Environment.GetEnvironmentVariable("PROPLET_API_KEY");
        Environment.SetEnvironmentVariable("PROPLET_API_KEY", "proplet-secret");
        string output;
        try
        {
            var request = Request(ExampleWasm.HelloEnv, "_start") with
            {
                Env = new Dictionary<string, string> { ["PROPLET_ID"] = "p1", ["K"] = "V" },
            };
            output = await Runtime(node).RunAsync(request, CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PROPLET_API_KEY", previous);
        }

        Assert.StartsWith("Hello from Propeller!\n", output, StringComparison.Ordinal);
        Assert.Contains("PROPLET_ID=p1\n", output, StringComparison.Ordinal);
        Assert.Contains("K=V\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PROPLET_API_KEY", output, StringComparison.Ordinal);
        Assert.DoesNotContain("proplet-secret", output, StringComparison.Ordinal);

        var child = node.ChildEnvironment();
        Assert.Equal("p1", child["PROPLET_ID"]);
        Assert.Equal("V", child["K"]);
        Assert.DoesNotContain(child.Keys, name => name.StartsWith("PROPLET_", StringComparison.Ordinal) && name != "PROPLET_ID");
        Assert.DoesNotContain(child.Values, value => value.Contains("proplet-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_ErrorHasStatusAndStderr()
    {
        using var node = NodeWasiRuntime.Create();

        var error = await Assert.ThrowsAsync<WasmExecutionException>(
            () => Runtime(node).RunAsync(Request(FailWithStderr, "_start"), CancellationToken.None));

        Assert.Equal("Process exited with status: 3, stderr: boom: bad input", error.Message);
    }

    [Fact]
    public async Task RunAsync_OutputBeyondTheLimit_IsCutAndTheChildNeverBlocks()
    {
        using var node = NodeWasiRuntime.Create();

        // 2 MiB is far more than a pipe buffer: a child whose output was not drained would block forever.
        var output = await Runtime(node).RunAsync(Request(TestWasm.Flood(32), "flood"), CancellationToken.None);

        Assert.Equal(WasmRuntimeOptions.DefaultMaxOutputBytes, output.Length);
        Assert.All(output, c => Assert.Equal('x', c));
    }

    [Fact]
    public async Task RunAsync_Stopped_KillsTheWholeProcessTreeAndReportsTheStop()
    {
        using var node = NodeWasiRuntime.Create(exec: false);

        var runtime = Runtime(node);
        var request = Request(ExampleWasm.Loop, "loop");
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(request, stop.Token);
        var shell = await Eventually.ValueAsync(
            () => Task.FromResult(runtime.ProcessIdOf(request.TaskId)), _ => true, "the runtime process to start");
        var guest = await Eventually.ValueAsync(
            () => Task.FromResult<int?>(ProcessTree.Children(shell!.Value).Where(child => ProcessTree.Name(child) == "node").Cast<int?>().FirstOrDefault()),
            _ => true,
            "node to start under the wrapper");

        await stop.CancelAsync();

        var error = await Assert.ThrowsAsync<WasmExecutionException>(() => run);
        Assert.Equal($"Task {request.TaskId} was stopped before completion", error.Message);
        await Eventually.TrueAsync(
            () => !ProcessTree.IsRunning(shell!.Value) && !ProcessTree.IsRunning(guest!.Value),
            "the wrapper and node to be gone",
            TimeSpan.FromSeconds(1));
        Assert.Null(runtime.ProcessIdOf(request.TaskId));
    }

    [Fact]
    public async Task RunAsync_TimeLimitPassed_KillsTheChildAndReportsTheLimit()
    {
        using var node = NodeWasiRuntime.Create();

        var request = Request(ExampleWasm.Loop, "loop") with { Timeout = TimeSpan.FromSeconds(1) };

        var error = await Assert.ThrowsAsync<WasmExecutionException>(
            () => Runtime(node).RunAsync(request, CancellationToken.None));

        Assert.Equal("task exceeded its time limit of 1000 ms", error.Message);
        var child = int.Parse(File.ReadAllText(node.ProcessIdPath), CultureInfo.InvariantCulture);
        Assert.False(ProcessTree.IsRunning(child));
    }

    [Fact]
    public async Task RunAsync_Finished_PassedAPrivateTemporaryFileAndDeletedIt()
    {
        using var node = NodeWasiRuntime.Create();

        var request = Request(ExampleWasm.Add, "add", "1", "2") with { Env = new Dictionary<string, string> { ["X"] = "1" } };

        var output = await Runtime(node).RunAsync(request, CancellationToken.None);

        Assert.Equal("3\n", output);
        var arguments = node.ChildArguments();
        Assert.Equal(["run", "--invoke", "add", "--env", "X=1"], arguments.Take(5));
        Assert.Equal(["1", "2"], arguments.Skip(6));
        var file = arguments[5];
        Assert.Equal(Path.GetFullPath(Path.GetTempPath()), Path.GetDirectoryName(file) + Path.DirectorySeparatorChar);
        Assert.StartsWith($"proplet_{request.TaskId}_", Path.GetFileName(file), StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task RunAsync_RuntimeCannotStart_FailsNamingTheRuntime()
    {
        var notExecutable = Path.GetTempFileName();
        try
        {
            var runtime = new HostProcessRuntime(notExecutable, new WasmRuntimeOptions(), NullLogger<HostProcessRuntime>.Instance);

            var error = await Assert.ThrowsAsync<WasmExecutionException>(
                () => runtime.RunAsync(Request(ExampleWasm.Add, "add", "1", "2"), CancellationToken.None));

            Assert.StartsWith($"Failed to start the external Wasm runtime {notExecutable}: ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notExecutable);
        }
    }

    private static HostProcessRuntime Runtime(NodeWasiRuntime node) =>
        new(node.WrapperPath, new WasmRuntimeOptions(), NullLogger<HostProcessRuntime>.Instance);

    private static WasmRunRequest Request(byte[] wasm, string name, params string[] inputs) => new()
    {
        TaskId = $"task-{Guid.NewGuid():N}",
        FunctionName = name,
        Wasm = wasm,
        Inputs = inputs,
    };
}
