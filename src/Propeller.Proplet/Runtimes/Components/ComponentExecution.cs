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
internal sealed class ComponentExecution
{
    private const string RunInterface = "wasi:cli/run";
    private const string CacheKind = "component";

    private readonly WasmtimeEngine _wasmtime;
    private readonly CompiledModuleCache _cache;
    private readonly WasmRunRequest _request;
    private readonly CancellationToken _cancellationToken;
    private readonly BoundedOutput _stdout;
    private readonly BoundedOutput _stderr;
    private readonly TaskLimits _limits;

    public ComponentExecution(
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

    /// <summary>A task name other than empty, <c>_start</c> or an FL round names an export to call.</summary>
    public static bool IsCustomExport(string name) =>
        name.Length > 0 && name != "_start" && !name.StartsWith("fl-round-", StringComparison.Ordinal);

    /// <summary>Runs the component; a stop surfaces as <see cref="OperationCanceledException"/>.</summary>
    public string Run()
    {
        using var deadline = new TaskDeadline(_limits.Timeout, _wasmtime.Interrupt);
        // Shared with other runs through the cache: not disposed here.
        var component = Compile(_wasmtime, _cache, _request.TaskId, _request.Wasm);
        _cancellationToken.ThrowIfCancellationRequested();
        if (deadline.Expired)
        {
            throw new WasmExecutionException(_limits.TimeExceeded);
        }

        using var linker = new ComponentLinker(_wasmtime.Engine);
        linker.AddWasiPreview2();
        var cancellationToken = _cancellationToken;
        using var store = GuestStore.Create(_wasmtime, _limits, deadline, cancellationToken);
        using var stop = cancellationToken.Register(_wasmtime.Interrupt);

        try
        {
            ConfigureWasi(store);
            return IsCustomExport(_request.FunctionName)
                ? CallExport(linker, store, component)
                : RunCommand(linker, store, component);
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

    private void ConfigureWasi(Store store)
    {
        // No argv, as for the original's components; stdout and stderr are captured, bounded.
        var wasi = new WasiConfiguration()
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
            throw new WasmExecutionException($"Failed to instantiate WASM component: {WasmtimeErrorText.Of(e)}", e);
        }
    }

    private string CallExport(ComponentLinker linker, Store store, Component component)
    {
        var name = _request.FunctionName;
        var (instanceName, functionName, signature) = ComponentExportResolver.Resolve(
            _wasmtime.Engine, component, name, _request.TaskId);
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
            ?? throw new WasmExecutionException($"Export '{name}' not found in component for task {_request.TaskId}");

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
        var inputs = _request.Inputs;
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
        var run = ComponentTypeReader.Exports(_wasmtime.Engine, component)
            .Where(e => e.Value == ComponentExportKind.Instance)
            .Select(e => e.Key)
            .FirstOrDefault(n => n == RunInterface || n.StartsWith(RunInterface + "@", StringComparison.Ordinal))
            ?? throw new WasmExecutionException(
                $"Export '{RunInterface}' not found in component for task {_request.TaskId}");

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
            ?? throw new WasmExecutionException($"Export '{run}#run' not found in component for task {_request.TaskId}");

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
            throw Failure($"Component for task {_request.TaskId} exited with error (exit status {status})", e);
        }
        catch (WasmtimeException e)
        {
            throw Failure($"Failed to run WASM command component: {WasmtimeErrorText.Of(e)}", e);
        }

        return result is { Kind: ComponentValueKind.Result, IsOk: false }
            ? throw Failure($"Component for task {_request.TaskId} exited with error", null)
            : Output();
    }

    private string Output()
    {
        var stdout = _stdout.ToString();
        var stderr = _stderr.ToString();
        return stderr.Length > 0 ? $"{stdout}\n{stderr}" : stdout;
    }

    private WasmExecutionException Failure(string message, Exception? cause)
    {
        var stderr = _stderr.ToString().TrimEnd();
        var text = stderr.Length > 0 ? $"{message}, stderr: {stderr}" : message;
        return cause is null ? new WasmExecutionException(text) : new WasmExecutionException(text, cause);
    }
}
