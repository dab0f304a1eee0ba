using Propeller.Proplet.Runtimes.Caching;
using Propeller.Proplet.Runtimes.Limits;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// One run of a core module under WASI preview 1, start to finish, on the calling thread: compile, instantiate,
/// <c>_initialize</c>, look up the export, parse the inputs, call, and render the result. Breaking a limit (time,
/// memory, fuel) fails only this run, with the limit's own error text.
/// </summary>
internal sealed class CoreModuleExecution : GuestExecution<Module>
{
    private static readonly string[] Fallbacks = ["main", "run", "_start"];

    public CoreModuleExecution(
        WasmtimeEngine wasmtime,
        CompiledModuleCache cache,
        WasmRuntimeOptions options,
        WasmRunRequest request,
        CancellationToken cancellationToken)
        : base(wasmtime, cache, options, request, cancellationToken)
    {
    }

    protected override string? ProgramName => Request.FunctionName;

    protected override string InstantiationFailure => "Failed to instantiate Wasmtime module";

    protected override Module Compile()
    {
        if (WasmBinary.IsComponent(Request.Wasm.Span))
        {
            throw new WasmExecutionException(
                $"Task {Request.TaskId} is a WebAssembly component: the core module runtime does not run components");
        }

        try
        {
            return Cache.GetModule(Request.TaskId, Request.Wasm);
        }
        catch (WasmtimeException e)
        {
            // The pooling allocator refuses, at compile time, a memory whose minimum is larger than its slots.
            var error = $"Failed to compile Wasmtime module from binary: {WasmtimeErrorText.Of(e)}";
            throw new WasmExecutionException(
                MemoryLimitCheck.IsInstantiationOverLimit(error) ? $"{Limits.MemoryExceeded}: {error}" : error, e);
        }
    }

    protected override string Execute(Store store, Module module)
    {
        using var linker = new Linker(Wasmtime.Engine);
        linker.DefineWasi();
        Instance instance;
        try
        {
            instance = linker.Instantiate(store, module);
        }
        catch (WasmtimeException e) when (e.ExitCode is null)
        {
            var error = $"Failed to instantiate Wasmtime module: {WasmtimeErrorText.Of(e)}";
            throw new WasmExecutionException(
                MemoryLimitCheck.IsInstantiationOverLimit(error) ? $"{Limits.MemoryExceeded}: {error}" : error, e);
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
        var arguments = WasmArgumentParser.Parse(name, function.Parameters, Request.Inputs);
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
            null => Stdout.ToString(),
            object[] results => WasmValueFormatter.Format(results[0]),
            _ => WasmValueFormatter.Format(result),
        };
    }

    private string Resolve(Module module)
    {
        var functions = module.Exports.OfType<FunctionExport>().Select(export => export.Name).ToList();
        var candidates = Request.FunctionName.Length > 0 ? Fallbacks.Prepend(Request.FunctionName) : Fallbacks;
        return candidates.FirstOrDefault(functions.Contains)
            ?? throw new WasmExecutionException(
                $"Function '{Request.FunctionName}' not found, and fallbacks {Quoted(Fallbacks)} also not found in " +
                $"module exports. Available function exports: {Quoted(functions)}");
    }

    // proc_exit(0) is success with the output so far; any other status is a failure.
    private string Exited(WasmtimeException exit) =>
        exit.ExitCode == 0 ? Stdout.ToString() : throw Failure($"Process exited with status: {exit.ExitCode}", exit);

    // A trap names the limit it most likely came from, ahead of Wasmtime's own text.
    private WasmExecutionException Failure(string message, WasmtimeException cause, Instance instance, Module module)
    {
        if (cause is TrapException { Type: TrapCode.OutOfFuel } && Limits.Fuel > 0)
        {
            return Failure($"{Limits.FuelExhausted}: {message}", cause);
        }

        return MemoryLimitCheck.ReachedLimit(instance, module, Limits.MaxMemoryBytes)
            ? Failure($"{Limits.MemoryExceeded}: {message}", cause)
            : Failure(message, cause);
    }

    private WasmExecutionException Failure(string message, Exception cause)
    {
        var stderr = Stderr.ToString().TrimEnd();
        return new WasmExecutionException(stderr.Length > 0 ? $"{message}, stderr: {stderr}" : message, cause);
    }

    private static string Quoted(IEnumerable<string> names) =>
        "[" + string.Join(", ", names.Select(n => "\"" + n.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")) + "]";
}
