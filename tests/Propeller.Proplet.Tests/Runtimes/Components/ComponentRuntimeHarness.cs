using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Components;

namespace Propeller.Proplet.Tests.Runtimes.Components;

/// <summary>A real engine with the dispatching Wasmtime runtime (core modules and components) per test class.</summary>
internal sealed class ComponentRuntimeHarness : IDisposable
{
    public ComponentRuntimeHarness()
    {
        Engine = new WasmtimeEngine();
        Components = new WasmtimeComponentRuntime(Engine, new WasmRuntimeOptions());
        Runtime = new WasmtimeRuntime(new WasmtimeCoreRuntime(Engine, new WasmRuntimeOptions()), Components);
    }

    public WasmtimeEngine Engine { get; }

    public WasmtimeComponentRuntime Components { get; }

    public WasmtimeRuntime Runtime { get; }

    public Task<string> RunAsync(byte[] wasm, string name, params string[] inputs) =>
        Runtime.RunAsync(CoreRuntimeHarness.Request(wasm, name, inputs), CancellationToken.None);

    public async Task<string> ErrorOfAsync(byte[] wasm, string name, params string[] inputs)
    {
        var error = await Assert.ThrowsAsync<WasmExecutionException>(() => RunAsync(wasm, name, inputs));
        return error.Message;
    }

    public void Dispose() => Engine.Dispose();
}
