using Propeller.Proplet.Runtimes.Caching;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// Runs WebAssembly components with WASI preview 2 in the shared <see cref="WasmtimeEngine"/>, each on its own
/// thread and in its own store, exactly as <see cref="WasmtimeCoreRuntime"/> runs core modules; a stop interrupts the
/// guest through the engine epoch.
/// </summary>
internal sealed class WasmtimeComponentRuntime : IWasmRuntime
{
    // Wasmtime's guest stack limit is 512 KiB; the rest is for host frames (WASI calls, the .NET wrapper).
    private const int ThreadStackBytes = 4 * 1024 * 1024;

    private readonly WasmtimeEngine _wasmtime;
    private readonly WasmRuntimeOptions _options;
    private int _activeExecutions;

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
        _options = options;
        Cache = cache;
    }

    /// <summary>The compiled components this runtime reuses (shared with core modules in a proplet).</summary>
    public CompiledModuleCache Cache { get; }

    /// <summary>Executions whose thread is still running a guest.</summary>
    public int ActiveExecutions => Volatile.Read(ref _activeExecutions);

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
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string>(cancellationToken);
        }

        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var execution = new ComponentExecution(_wasmtime, Cache, _options, request, cancellationToken);
        var thread = new Thread(
            () => Execute(execution, request.OnGuestThreadStarted, completion, cancellationToken), ThreadStackBytes)
        {
            IsBackground = true,
            Name = $"wasm component {request.TaskId}",
        };

        Interlocked.Increment(ref _activeExecutions);
        try
        {
            thread.Start();
        }
        catch
        {
            Interlocked.Decrement(ref _activeExecutions);
            throw;
        }

        return completion.Task;
    }

    // Runs on the execution's own thread; nothing may escape it, or the process dies.
    private void Execute(
        ComponentExecution execution,
        Action? started,
        TaskCompletionSource<string> completion,
        CancellationToken cancellationToken)
    {
        string? output = null;
        Exception? failure = null;
        try
        {
            started?.Invoke();
            output = execution.Run();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (WasmExecutionException e)
        {
            failure = e;
        }
        catch (Exception e)
        {
            failure = new WasmExecutionException($"Wasm execution failed: {e.Message}", e);
        }

        Interlocked.Decrement(ref _activeExecutions);
        if (output is not null)
        {
            completion.TrySetResult(output);
        }
        else if (failure is not null)
        {
            completion.TrySetException(failure);
        }
        else
        {
            completion.TrySetCanceled(cancellationToken);
        }
    }
}
