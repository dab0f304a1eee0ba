using System.Text.Json;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Host;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Runtimes.Host;

/// <summary>A whole proplet on a real broker, configured with <c>PROPLET_EXTERNAL_WASM_RUNTIME</c>.</summary>
public sealed class HostRuntimePipelineTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_ExternalRuntime_PublishesRawStdoutAndDiscoveryNamesTheRuntime()
    {
        using var node = NodeWasiRuntime.Create();
        await using var proplet = await PropletHarness.StartAsync(broker, output, External(node.WrapperPath));

        var result = await proplet.RunAddAsync("host-add");

        Assert.Equal("30\n", result.Text("results"));
        Assert.Equal(JsonValueKind.Null, result.Payload.GetProperty("error").ValueKind);
        Assert.Equal(proplet.PropletId, result.Text("proplet_id"));
        var discovery = Assert.Single(proplet.Messages("control/proplet/create")).Payload;
        Assert.Equal(node.WrapperPath, discovery.GetProperty("metadata").GetProperty("wasm_runtime").GetString());
        Assert.IsType<HostProcessRuntime>(proplet.Service<IWasmRuntime>());
        Assert.Contains(proplet.Logs.Entries, e => e.EventId.Id == EventIds.ExternalRuntimeSelected);

        // The guest environment holds the proplet id; the child never sees the proplet's key.
        Assert.Equal(proplet.PropletId, node.ChildEnvironment()["PROPLET_ID"]);
        Assert.DoesNotContain("PROPLET_API_KEY", node.ChildEnvironment().Keys);
    }

    [Fact]
    public async Task Start_HelloEnvOnExternalRuntime_GuestSeesPropletIdAndRequestEnvOnly()
    {
        using var node = NodeWasiRuntime.Create();
        await using var proplet = await PropletHarness.StartAsync(broker, output, External(node.WrapperPath));

        await proplet.StartTaskAsync(Payloads.Start("env", "_start", ExampleWasm.HelloEnv, env: """{"K":"V"}"""));
        var result = await proplet.ResultAsync("env");

        Assert.Equal(
            $"Hello from Propeller!\nK=V\nPROPLET_ID={proplet.PropletId}\n",
            result.Text("results"));
    }

    [Fact]
    public async Task Stop_ExternalRuntime_KillsTheChildAndReportsTheStop()
    {
        using var node = NodeWasiRuntime.Create();
        await using var proplet = await PropletHarness.StartAsync(broker, output, External(node.WrapperPath));
        var runtime = Assert.IsType<HostProcessRuntime>(proplet.Service<IWasmRuntime>());
        await proplet.StartTaskAsync(Payloads.Start("spin", "loop", ExampleWasm.Loop));
        var child = await Eventually.ValueAsync(
            () => Task.FromResult(runtime.ProcessIdOf("spin")), _ => true, "the runtime process to start");

        await proplet.StopTaskAsync("spin");

        var result = await proplet.ResultAsync("spin");
        Assert.Equal("", result.Text("results"));
        Assert.Equal("Task spin was stopped before completion", result.Text("error"));
        await Eventually.TrueAsync(() => !ProcessTree.IsRunning(child!.Value), "the child to be gone", TimeSpan.FromSeconds(1));
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
        Assert.Equal("30\n", (await proplet.RunAddAsync("afterwards")).Text("results"));
    }

    [Fact]
    public async Task Start_ExternalRuntimeMissing_WarnsAndRunsEmbedded()
    {

        var missing = Path.Combine(Path.GetTempPath(), $"propeller-no-runtime-{Guid.NewGuid():N}", "wasmtime");
        await using var proplet = await PropletHarness.StartAsync(broker, output, External(missing));

        var result = await proplet.RunAddAsync("fallback");

        Assert.Equal("30", result.Text("results"));
        Assert.IsNotType<HostProcessRuntime>(proplet.Service<IWasmRuntime>());
        var warning = Assert.Single(proplet.Logs.Entries, e => e.EventId.Id == EventIds.ExternalRuntimeNotFound);
        Assert.Contains(PropletVariables.ExternalWasmRuntime, warning.Message, StringComparison.Ordinal);
        Assert.Contains(missing, warning.Message, StringComparison.Ordinal);
        var discovery = Assert.Single(proplet.Messages("control/proplet/create")).Payload;
        Assert.Equal("wasmtime-internal", discovery.GetProperty("metadata").GetProperty("wasm_runtime").GetString());
    }

    private static Dictionary<string, string> External(string runtime) =>
        new() { [PropletVariables.ExternalWasmRuntime] = runtime };
}
