using Propeller.Proplet.Runtimes.Caching;
using Propeller.Proplet.Runtimes.Limits;
using Propeller.Proplet.Runtimes.Wave;
using Wasmtime;
using Wasmtime.Components;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// One run of a WebAssembly component with WASI preview 2, start to finish, on the calling thread. A task whose name
/// is a custom export calls that export with its inputs parsed as WAVE and reports the WAVE text of the result;
/// otherwise the component runs as a command (<c>wasi:cli/run</c>) and reports its stdout, then "\n" and its stderr
/// when there is any. Each run has its own store, because a trap leaves a store unusable.
/// </summary>
internal sealed class ComponentExecution : GuestExecution<Component>
{
    private const string RunInterface = "wasi:cli/run";
    private const string CacheKind = "component";

    public ComponentExecution(
        WasmtimeEngine wasmtime,
        CompiledModuleCache cache,
        WasmRuntimeOptions options,
        WasmRunRequest request,
        CancellationToken cancellationToken)
        : base(wasmtime, cache, options, request, cancellationToken)
    {
    }

    // No argv, as for the original's components.
    protected override string? ProgramName => null;

    protected override string InstantiationFailure => "Failed to instantiate WASM component";

    /// <summary>A task name other than empty, <c>_start</c> or an FL round names an export to call.</summary>
    public static bool IsCustomExport(string name) =>
        name.Length > 0 && name != "_start" && !name.StartsWith("fl-round-", StringComparison.Ordinal);

    protected override Component Compile() => Compile(Wasmtime, Cache, Request.TaskId, Request.Wasm);

    protected override string Execute(Store store, Component component)
    {
        using var linker = new ComponentLinker(Wasmtime.Engine);
        linker.AddWasiPreview2();
        return IsCustomExport(Request.FunctionName)
            ? CallExport(linker, store, component)
            : RunCommand(linker, store, component);
    }

    /// <summary>
    /// The compiled component for <paramref name="wasm"/>, from <paramref name="cache"/> or compiled into it; a
    /// component that does not compile throws <see cref="WasmExecutionException"/> with the text published for it.
    /// </summary>
    public static Component Compile(WasmtimeEngine wasmtime, CompiledModuleCache cache, string taskId, ReadOnlyMemory<byte> wasm)
    {
        ArgumentNullException.ThrowIfNull(wasmtime);
        ArgumentNullException.ThrowIfNull(cache);
        try
        {
            // Like core modules: memory first, then the cache directory, else compile (and persist).
            var engine = wasmtime.Engine;
            return cache.GetOrCompile(
                CacheKind,
                taskId,
                wasm,
                bytes => Component.FromBytes(engine, bytes.Span),
                component => component.Serialize(),
                payload => Component.Deserialize(engine, payload));
        }
        catch (WasmtimeException e)
        {
            throw new WasmExecutionException(
                $"Failed to compile Wasmtime component from binary: {WasmtimeErrorText.Of(e)}", e);
        }
    }

    private string CallExport(ComponentLinker linker, Store store, Component component)
    {
        var name = Request.FunctionName;
        var (instanceName, functionName, signature) = ComponentExportResolver.Resolve(
            Wasmtime.Engine, component, name, Request.TaskId);
        var arguments = ParseArguments(name, signature);

        ComponentInstance instance;
        try
        {
            instance = linker.Instantiate(store, component);
        }
        catch (WasmtimeException e)
        {
            throw Failure($"Failed to instantiate WASM component: {WasmtimeErrorText.Of(e)}", e);
        }

        var function = (instanceName is null
                ? instance.GetFunction(functionName)
                : instance.GetFunction(instanceName, functionName))
            ?? throw new WasmExecutionException($"Export '{name}' not found in component for task {Request.TaskId}");

        ComponentValue? result;
        try
        {
            result = function.Call(arguments);
        }
        catch (WasmtimeException e) when (e.ExitCode == 0)
        {
            return string.Empty;
        }
        catch (WasmtimeException e)
        {
            throw Failure($"Failed to call export '{name}': {WasmtimeErrorText.Of(e)}", e);
        }

        return result is null ? string.Empty : WavePrinter.Print(result);
    }

    private ComponentValue[] ParseArguments(string name, ComponentFunctionSignature signature)
    {
        var inputs = Request.Inputs;
        if (inputs.Count != signature.Parameters.Count)
        {
            throw new WasmExecutionException(
                $"Argument count mismatch for '{name}': expected {signature.Parameters.Count} but got {inputs.Count}");
        }

        var arguments = new ComponentValue[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var parameter = signature.Parameters[i];
            try
            {
                arguments[i] = WaveParser.Parse(inputs[i], parameter.Type);
            }
            catch (WaveFormatException e)
            {
                throw new WasmExecutionException(
                    $"Failed to parse WAVE argument '{inputs[i]}' for parameter {i + 1} ('{parameter.Name}: " +
                    $"{parameter.Type}') of export '{name}': {e.Message}", e);
            }
        }

        return arguments;
    }

    private string RunCommand(ComponentLinker linker, Store store, Component component)
    {
        // The run interface is versioned (wasi:cli/run@0.2.x); take whichever version the component exports.
        var run = ComponentTypeReader.Exports(Wasmtime.Engine, component)
            .Where(e => e.Value == ComponentExportKind.Instance)
            .Select(e => e.Key)
            .FirstOrDefault(n => n == RunInterface || n.StartsWith(RunInterface + "@", StringComparison.Ordinal))
            ?? throw new WasmExecutionException(
                $"Export '{RunInterface}' not found in component for task {Request.TaskId}");

        ComponentInstance instance;
        try
        {
            instance = linker.Instantiate(store, component);
        }
        catch (WasmtimeException e)
        {
            throw Failure($"Failed to instantiate WASM command component: {WasmtimeErrorText.Of(e)}", e);
        }

        var function = instance.GetFunction(run, "run")
            ?? throw new WasmExecutionException($"Export '{run}#run' not found in component for task {Request.TaskId}");

        ComponentValue? result;
        try
        {
            result = function.Call();
        }
        catch (WasmtimeException e) when (e.ExitCode == 0)
        {
            return Output();
        }
        catch (WasmtimeException e) when (e.ExitCode is { } status)
        {
            throw Failure($"Component for task {Request.TaskId} exited with error (exit status {status})", e);
        }
        catch (WasmtimeException e)
        {
            throw Failure($"Failed to run WASM command component: {WasmtimeErrorText.Of(e)}", e);
        }

        return result is { Kind: ComponentValueKind.Result, IsOk: false }
            ? throw Failure($"Component for task {Request.TaskId} exited with error", null)
            : Output();
    }

    private string Output()
    {
        var stdout = Stdout.ToString();
        var stderr = Stderr.ToString();
        return stderr.Length > 0 ? $"{stdout}\n{stderr}" : stdout;
    }

    private WasmExecutionException Failure(string message, Exception? cause)
    {
        var stderr = Stderr.ToString().TrimEnd();
        var text = stderr.Length > 0 ? $"{message}, stderr: {stderr}" : message;
        return cause is null ? new WasmExecutionException(text) : new WasmExecutionException(text, cause);
    }
}
