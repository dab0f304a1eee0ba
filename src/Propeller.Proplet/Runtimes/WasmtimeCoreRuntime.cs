using Propeller.Proplet.Runtimes.Caching;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Runs core Wasm modules with WASI preview 1 in the shared <see cref="WasmtimeEngine"/>. Each run gets its own
/// thread, so a guest that never returns cannot starve the thread pool, and its own store, so a trap poisons nothing
/// else. A stop interrupts the guest through the engine epoch and frees the thread.
/// </summary>
internal sealed class WasmtimeCoreRuntime : IWasmRuntime
{
    private readonly WasmtimeEngine _wasmtime;
    private readonly WasmRuntimeOptions _options;
    private readonly GuestThreads _threads;

    /// <summary>A runtime with an in-memory compiled-module cache of its own.</summary>
    public WasmtimeCoreRuntime(WasmtimeEngine wasmtime, WasmRuntimeOptions options)
        : this(wasmtime, options, CompiledModuleCache.InMemory(wasmtime))
    {
    }

    public WasmtimeCoreRuntime(WasmtimeEngine wasmtime, WasmRuntimeOptions options, CompiledModuleCache cache)
    {
        ArgumentNullException.ThrowIfNull(wasmtime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cache);
        options.Validate();
        if (options.Fuel > 0 && !wasmtime.FuelEnabled)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(WasmRuntimeOptions.Fuel)} needs an engine built with fuel on.");
        }

        _wasmtime = wasmtime;
        _threads = new GuestThreads(wasmtime.Slots);
        _options = options;
        Cache = cache;
    }

    /// <summary>The compiled modules this runtime reuses.</summary>
    public CompiledModuleCache Cache { get; }

    /// <summary>Executions whose thread is still running a guest.</summary>
    public int ActiveExecutions => _threads.Active;

    public Task<string> RunAsync(WasmRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var execution = new CoreModuleExecution(_wasmtime, Cache, _options, request, cancellationToken);
        return _threads.Start($"wasm {request.TaskId}", execution.Run, request.OnGuestThreadStarted, cancellationToken);
    }
}
