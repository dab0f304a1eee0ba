using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>A real engine and core runtime per test class, both built from the same options.</summary>
internal sealed class CoreRuntimeHarness : IDisposable
{
    public CoreRuntimeHarness(WasmRuntimeOptions? options = null)
    {
        options ??= new WasmRuntimeOptions();
        Engine = new WasmtimeEngine(options, NullLogger<WasmtimeEngine>.Instance);
        Runtime = new WasmtimeCoreRuntime(Engine, options);
    }

    public WasmtimeEngine Engine { get; }

    public WasmtimeCoreRuntime Runtime { get; }

    public static WasmRunRequest Request(byte[] wasm, string functionName, params string[] inputs) => new()
    {
        TaskId = $"task-{Guid.NewGuid():N}",
        FunctionName = functionName,
        Wasm = wasm,
        Inputs = inputs,
    };

    public Task<string> RunAsync(byte[] wasm, string functionName, params string[] inputs) =>
        Runtime.RunAsync(Request(wasm, functionName, inputs), CancellationToken.None);

    /// <summary>Runs a request that must fail and returns the published error text.</summary>
    public async Task<string> ErrorOfAsync(WasmRunRequest request)
    {
        var error = await Assert.ThrowsAsync<WasmExecutionException>(
            () => Runtime.RunAsync(request, CancellationToken.None));
        return error.Message;
    }

    public Task<string> ErrorOfAsync(byte[] wasm, string functionName, params string[] inputs) =>
        ErrorOfAsync(Request(wasm, functionName, inputs));

    public void Dispose() => Engine.Dispose();
}
