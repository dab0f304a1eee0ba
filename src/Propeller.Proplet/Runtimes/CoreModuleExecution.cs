using Propeller.Proplet.Runtimes.Caching;
using Propeller.Proplet.Runtimes.Limits;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// One run of a core module under WASI preview 1, start to finish, on the calling thread: compile, instantiate,
/// <c>_initialize</c>, look up the export, parse the inputs, call, and render the result. Breaking a limit (time,
/// memory, fuel) fails only this run, with the limit's own error text.
/// </summary>
internal sealed class CoreModuleExecution
{
    private static readonly string[] Fallbacks = ["main", "run", "_start"];

    private readonly WasmtimeEngine _wasmtime;
    private readonly CompiledModuleCache _cache;
    private readonly WasmRunRequest _request;
    private readonly CancellationToken _cancellationToken;
    private readonly BoundedOutput _stdout;
    private readonly BoundedOutput _stderr;
    private readonly TaskLimits _limits;

    public CoreModuleExecution(
        WasmtimeEngine wasmtime,
        CompiledModuleCache cache,
        WasmRuntimeOptions options,
        WasmRunRequest request,
        CancellationToken cancellationToken)
    {
        _wasmtime = wasmtime;
        _cache = cache;
        _request = request;
        _cancellationToken = cancellationToken;
        _stdout = new BoundedOutput(options.MaxOutputBytes);
        _stderr = new BoundedOutput(options.MaxOutputBytes);
        _limits = TaskLimits.For(request, options);
    }

    /// <summary>Runs the module; a stop surfaces as <see cref="OperationCanceledException"/>.</summary>
    public string Run()
    {
        if (WasmBinary.IsComponent(_request.Wasm.Span))
        {
            throw new WasmExecutionException(
                $"Task {_request.TaskId} is a WebAssembly component: the core module runtime does not run components");
        }

        using var deadline = new TaskDeadline(_limits.Timeout, _wasmtime.Interrupt);

        // Shared with other runs through the cache: not disposed here.
        var module = Compile();
        _cancellationToken.ThrowIfCancellationRequested();
        if (deadline.Expired)
        {
            throw new WasmExecutionException(_limits.TimeExceeded);
        }

        using var linker = new Linker(_wasmtime.Engine);
        linker.DefineWasi();
        var cancellationToken = _cancellationToken;
        using var store = GuestStore.Create(_wasmtime, _limits, deadline, cancellationToken);
        using var stop = cancellationToken.Register(_wasmtime.Interrupt);

        try
        {
            ConfigureWasi(store);
            return Execute(linker, store, module);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The task was stopped.", e, cancellationToken);
        }
        catch (Exception e) when (deadline.Expired && !cancellationToken.IsCancellationRequested)
        {
            throw new WasmExecutionException(_limits.TimeExceeded, e);
        }
    }

    private Module Compile()
    {
        try
        {
            return _cache.GetModule(_request.TaskId, _request.Wasm);
        }
        catch (WasmtimeException e)
        {
            // The pooling allocator refuses, at compile time, a memory whose minimum is larger than its slots.
            var error = $"Failed to compile Wasmtime module from binary: {WasmtimeErrorText.Of(e)}";
            throw new WasmExecutionException(
                MemoryLimitCheck.IsInstantiationOverLimit(error) ? $"{_limits.MemoryExceeded}: {error}" : error, e);
        }
    }

    private void ConfigureWasi(Store store)
    {
        var wasi = new WasiConfiguration()
            .WithArg(_request.FunctionName)
            .WithEnvironmentVariables(_request.Env.Select(pair => (pair.Key, pair.Value)))
            .WithStandardOutputCallback(_stdout.Append)
            .WithStandardErrorCallback(_stderr.Append);
        foreach (var directory in _request.PreopenDirs)
        {
            wasi.WithPreopenedDirectory(directory, directory, mutable: true);
        }

        try
        {
            store.SetWasiConfiguration(wasi);
        }
        catch (Exception e) when (e is InvalidOperationException or WasmtimeException or ArgumentException)
        {
            throw new WasmExecutionException($"Failed to instantiate Wasmtime module: {WasmtimeErrorText.Of(e)}", e);
        }
    }

    private string Execute(Linker linker, Store store, Module module)
    {
        Instance instance;
        try
        {
            instance = linker.Instantiate(store, module);
        }
        catch (WasmtimeException e) when (e.ExitCode is null)
        {
            var error = $"Failed to instantiate Wasmtime module: {WasmtimeErrorText.Of(e)}";
            throw new WasmExecutionException(
                MemoryLimitCheck.IsInstantiationOverLimit(error) ? $"{_limits.MemoryExceeded}: {error}" : error, e);
        }
        catch (WasmtimeException e)
        {
            return Exited(e);
        }

        if (instance.GetFunction("_initialize") is { } initialize)
        {
            try
            {
                initialize.Invoke();
            }
            catch (WasmtimeException e) when (e.ExitCode is null)
            {
                throw Failure(
                    $"Failed to initialize WASM runtime via _initialize: {WasmtimeErrorText.Of(e)}", e, instance, module);
            }
            catch (WasmtimeException e)
            {
                return Exited(e);
            }
        }

        var name = Resolve(module);
        var function = instance.GetFunction(name)!;
        var arguments = WasmArgumentParser.Parse(name, function.Parameters, _request.Inputs);
        if (function.Results.Count > 0 && !WasmValueFormatter.CanFormat(function.Results[0]))
        {
            throw new WasmExecutionException(
                $"Unsupported Wasm result type {function.Results[0]} of function '{name}'");
        }

        object? result;
        try
        {
            result = function.Invoke(arguments);
        }
        catch (WasmtimeException e) when (e.ExitCode is null)
        {
            throw Failure($"Failed to call function '{name}': {WasmtimeErrorText.Of(e)}", e, instance, module);
        }
        catch (WasmtimeException e)
        {
            return Exited(e);
        }

        return result switch
        {
            null => _stdout.ToString(),
            object[] results => WasmValueFormatter.Format(results[0]),
            _ => WasmValueFormatter.Format(result),
        };
    }

    private string Resolve(Module module)
    {
        var functions = module.Exports.OfType<FunctionExport>().Select(export => export.Name).ToList();
        var candidates = _request.FunctionName.Length > 0 ? Fallbacks.Prepend(_request.FunctionName) : Fallbacks;
        return candidates.FirstOrDefault(functions.Contains)
            ?? throw new WasmExecutionException(
                $"Function '{_request.FunctionName}' not found, and fallbacks {Quoted(Fallbacks)} also not found in " +
                $"module exports. Available function exports: {Quoted(functions)}");
    }

    // proc_exit(0) is success with the output so far; any other status is a failure.
    private string Exited(WasmtimeException exit) =>
        exit.ExitCode == 0 ? _stdout.ToString() : throw Failure($"Process exited with status: {exit.ExitCode}", exit);

    // A trap names the limit it most likely came from, ahead of Wasmtime's own text.
    private WasmExecutionException Failure(string message, WasmtimeException cause, Instance instance, Module module)
    {
        if (cause is TrapException { Type: TrapCode.OutOfFuel } && _limits.Fuel > 0)
        {
            return Failure($"{_limits.FuelExhausted}: {message}", cause);
        }

        return MemoryLimitCheck.ReachedLimit(instance, module, _limits.MaxMemoryBytes)
            ? Failure($"{_limits.MemoryExceeded}: {message}", cause)
            : Failure(message, cause);
    }

    private WasmExecutionException Failure(string message, Exception cause)
    {
        var stderr = _stderr.ToString().TrimEnd();
        return new WasmExecutionException(stderr.Length > 0 ? $"{message}, stderr: {stderr}" : message, cause);
    }

    private static string Quoted(IEnumerable<string> names) =>
        "[" + string.Join(", ", names.Select(n => "\"" + n.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")) + "]";
}
