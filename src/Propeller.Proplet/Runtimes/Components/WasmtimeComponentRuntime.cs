using Propeller.Proplet.Runtimes.Caching;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// Runs WebAssembly components with WASI preview 2 in the shared <see cref="WasmtimeEngine"/>, each on its own
/// thread and in its own store, exactly as <see cref="WasmtimeCoreRuntime"/> runs core modules; a stop interrupts the
/// guest through the engine epoch.
/// </summary>
internal sealed class WasmtimeComponentRuntime : IWasmRuntime
{
    private readonly WasmtimeEngine _wasmtime;
    private readonly WasmRuntimeOptions _options;
    private readonly GuestThreads _threads;

    /// <summary>A runtime with an in-memory compiled-component cache of its own.</summary>
    public WasmtimeComponentRuntime(WasmtimeEngine wasmtime, WasmRuntimeOptions options)
        : this(wasmtime, options, CompiledModuleCache.InMemory(wasmtime))
    {
    }

    public WasmtimeComponentRuntime(WasmtimeEngine wasmtime, WasmRuntimeOptions options, CompiledModuleCache cache)
    {
        ArgumentNullException.ThrowIfNull(wasmtime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cache);
        options.Validate();
        _wasmtime = wasmtime;
        _threads = new GuestThreads(wasmtime.Slots);
        _options = options;
        Cache = cache;
    }

    /// <summary>The compiled components this runtime reuses (shared with core modules in a proplet).</summary>
    public CompiledModuleCache Cache { get; }

    /// <summary>Executions whose thread is still running a guest.</summary>
    public int ActiveExecutions => _threads.Active;

    /// <summary>
    /// Compiles <paramref name="wasm"/> into the cache now, so a latent task that cannot run fails at deployment
    /// rather than at its first invocation.
    /// </summary>
    /// <exception cref="WasmExecutionException">The component does not compile.</exception>
    public void Precompile(string taskId, ReadOnlyMemory<byte> wasm) =>
        ComponentExecution.Compile(_wasmtime, Cache, taskId, wasm);

    public Task<string> RunAsync(WasmRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var execution = new ComponentExecution(_wasmtime, Cache, _options, request, cancellationToken);
        return _threads.Start($"wasm component {request.TaskId}", execution.Run, request.OnGuestThreadStarted, cancellationToken);
    }
}
