using Propeller.Proplet.Runtimes.Caching;
using Propeller.Proplet.Runtimes.Limits;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// What every run of a guest shares, core module or component: the wall-clock deadline and the stop, a store of its
/// own with the task's limits, WASI with bounded stdout and stderr, and how a stop or an expired deadline surfaces
/// (<see cref="OperationCanceledException"/>, or the time limit's own error). Subclasses compile and call.
/// </summary>
internal abstract class GuestExecution<TCompiled>
    where TCompiled : class
{
    protected GuestExecution(
        WasmtimeEngine wasmtime,
        CompiledModuleCache cache,
        WasmRuntimeOptions options,
        WasmRunRequest request,
        CancellationToken cancellationToken)
    {
        Wasmtime = wasmtime;
        Cache = cache;
        Request = request;
        CancellationToken = cancellationToken;
        Stdout = new BoundedOutput(options.MaxOutputBytes);
        Stderr = new BoundedOutput(options.MaxOutputBytes);
        Limits = TaskLimits.For(request, options);
    }

    protected WasmtimeEngine Wasmtime { get; }

    protected CompiledModuleCache Cache { get; }

    protected WasmRunRequest Request { get; }

    protected CancellationToken CancellationToken { get; }

    protected BoundedOutput Stdout { get; }

    protected BoundedOutput Stderr { get; }

    protected TaskLimits Limits { get; }

    /// <summary>Runs the guest; a stop surfaces as <see cref="OperationCanceledException"/>.</summary>
    public string Run()
    {
        using var deadline = new TaskDeadline(Limits.Timeout, Wasmtime.Interrupt);

        // Shared with other runs through the cache: not disposed here.
        var compiled = Compile();
        CancellationToken.ThrowIfCancellationRequested();
        if (deadline.Expired)
        {
            throw new WasmExecutionException(Limits.TimeExceeded);
        }

        var cancellationToken = CancellationToken;
        using var store = GuestStore.Create(Wasmtime, Limits, deadline, cancellationToken);
        using var stop = cancellationToken.Register(Wasmtime.Interrupt);
        try
        {
            ConfigureWasi(store);
            return Execute(store, compiled);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The task was stopped.", e, cancellationToken);
        }
        catch (Exception e) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new WasmExecutionException(Limits.TimeExceeded, e);
        }
    }

    /// <summary>The compiled guest, from the cache or compiled into it.</summary>
    protected abstract TCompiled Compile();

    /// <summary>Links, instantiates and calls the guest in <paramref name="store"/>, and renders its result.</summary>
    protected abstract string Execute(Store store, TCompiled compiled);

    /// <summary>argv for the guest (none for components, as the original).</summary>
    protected abstract string? ProgramName { get; }

    /// <summary>What a WASI set-up failure's message starts with.</summary>
    protected abstract string InstantiationFailure { get; }

    private void ConfigureWasi(Store store)
    {
        var wasi = new WasiConfiguration()
            .WithEnvironmentVariables(Request.Env.Select(pair => (pair.Key, pair.Value)))
            .WithStandardOutputCallback(Stdout.Append)
            .WithStandardErrorCallback(Stderr.Append);
        if (ProgramName is { } programName)
        {
            wasi.WithArg(programName);
        }

        foreach (var directory in Request.PreopenDirs)
        {
            wasi.WithPreopenedDirectory(directory, directory, mutable: true);
        }

        try
        {
            store.SetWasiConfiguration(wasi);
        }
        catch (Exception e) when (e is InvalidOperationException or WasmtimeException or ArgumentException)
        {
            throw new WasmExecutionException($"{InstantiationFailure}: {WasmtimeErrorText.Of(e)}", e);
        }
    }
}
