using Microsoft.Extensions.Logging;
using Propeller.Manager.Tasks;
using Wasmtime;

namespace Propeller.Manager.Plugins;

/// <summary>
/// One loaded plugin: a core Wasm module under WASI preview 1 speaking the original's JSON ABI (manager-reference §9).
/// The host copies the request into memory from <c>plugin_alloc</c>, calls the hook, frees the input, reads
/// <c>(out_ptr &lt;&lt; 32) | out_len</c> bytes of answer and frees them. Every pointer is checked against the
/// memory, so a broken plugin gives an error, never a crash.
/// </summary>
/// <remarks>
/// Calls are serialised (one instance, one lock). Each plugin has its own engine, so the epoch tick that ends an
/// overdue call cannot interrupt another plugin. A call that traps or times out may leave the instance half-way
/// through its own bookkeeping, so the next call gets a fresh instance.
/// </remarks>
internal sealed partial class WasmPlugin : IDisposable
{
    public const string Authorize = "authorize";
    public const string EnrichTask = "enrich_task";
    public const string OnBeforePropletSelect = "on_before_proplet_select";
    public const string OnBeforeDispatch = "on_before_dispatch";
    public const string OnTaskStart = "on_task_start";
    public const string OnTaskComplete = "on_task_complete";

    /// <summary>How large a plugin's linear memory may grow.</summary>
    public const long MaxMemoryBytes = 64L * 1024 * 1024;

    /// <summary>The largest answer the host reads.</summary>
    public const int MaxAnswerBytes = 1024 * 1024;

    private const string MemoryName = "memory";
    private const string AllocExport = "plugin_alloc";
    private const string FreeExport = "plugin_free";

    private static readonly string[] HookNames = [Authorize, EnrichTask, OnBeforePropletSelect, OnBeforeDispatch, OnTaskStart, OnTaskComplete];

    private readonly Engine _engine;
    private readonly Module _module;
    private readonly Linker _linker;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PluginOutput _stdout;
    private readonly PluginOutput _stderr;
    private Store? _store;
    private Instance? _instance;
    private bool _disposed;

    private WasmPlugin(string name, Engine engine, Module module, TimeSpan timeout, ILogger logger)
    {
        Name = name;
        _engine = engine;
        _module = module;
        _timeout = timeout;
        _logger = logger;
        _linker = new Linker(engine);
        _linker.DefineWasi();
        _stdout = new PluginOutput(line => Log.Stdout(logger, name, line));
        _stderr = new PluginOutput(line => Log.Stderr(logger, name, line));
        Hooks = module.Exports.OfType<FunctionExport>().Select(e => e.Name).Where(HookNames.Contains).ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>The hook exports this plugin has; a missing hook gives the default answer.</summary>
    public IReadOnlySet<string> Hooks { get; }

    /// <summary>Compiles, checks and instantiates a plugin; throws <see cref="PluginLoadException"/> saying why not.</summary>
    public static WasmPlugin Load(string name, byte[] wasm, TimeSpan timeout, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(wasm);
        ArgumentNullException.ThrowIfNull(logger);
        using var config = new Config().WithEpochInterruption(true);
        var engine = new Engine(config);
        Module? module = null;
        WasmPlugin? plugin = null;
        try
        {
            try
            {
                module = Module.FromBytes(engine, name, wasm);
            }
            catch (WasmtimeException e)
            {
                throw new PluginLoadException($"not a valid WebAssembly module: {Describe(e.Message)}", e);
            }

            CheckExports(module);
            plugin = new WasmPlugin(name, engine, module, timeout, logger);
            try
            {
                plugin.Instantiate();
            }
            catch (PluginCallException e)
            {
                throw new PluginLoadException($"instantiation failed: {e.Message}", e);
            }

            return plugin;
        }
        catch
        {
            if (plugin is not null)
            {
                plugin.Dispose();
            }
            else
            {
                module?.Dispose();
                engine.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Calls <paramref name="hook"/> with <paramref name="request"/> and returns its answer: null when the plugin
    /// has no such hook, empty for "the default answer". Throws <see cref="PluginCallException"/> when the call fails.
    /// </summary>
    public async Task<byte[]?> CallAsync(string hook, byte[] request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Hooks.Contains(hook))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Call(hook, request, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        // A running call ends within its timeout; wait for it rather than pull the store from under it.
        var entered = _gate.Wait(_timeout + TimeSpan.FromSeconds(5));
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _store?.Dispose();
            _linker.Dispose();
            _module.Dispose();
            _engine.Dispose();
        }
        finally
        {
            if (entered)
            {
                _gate.Release();
            }
        }
    }

    private static void CheckExports(Module module)
    {
        var exports = module.Exports.ToDictionary(e => e.Name, StringComparer.Ordinal);
        if (!exports.TryGetValue(MemoryName, out var memory) || memory is not MemoryExport)
        {
            throw new PluginLoadException($"missing export '{MemoryName}' (a linear memory)");
        }

        RequireFunction(exports, AllocExport, [ValueKind.Int32], [ValueKind.Int32]);
        RequireFunction(exports, FreeExport, [ValueKind.Int32, ValueKind.Int32], []);
        foreach (var hook in HookNames.Where(exports.ContainsKey))
        {
            RequireFunction(exports, hook, [ValueKind.Int32, ValueKind.Int32], [ValueKind.Int64]);
        }
    }

    private static void RequireFunction(Dictionary<string, Export> exports, string name, ValueKind[] parameters, ValueKind[] results)
    {
        if (!exports.TryGetValue(name, out var export) || export is not FunctionExport function)
        {
            throw new PluginLoadException($"missing export '{name}' (a function)");
        }

        if (!function.Parameters.SequenceEqual(parameters) || !function.Results.SequenceEqual(results))
        {
            throw new PluginLoadException(
                $"export '{name}' has type ({string.Join(", ", function.Parameters)}) -> ({string.Join(", ", function.Results)}), " +
                $"expected ({string.Join(", ", parameters)}) -> ({string.Join(", ", results)})");
        }
    }

    /// <summary>
    /// The line of a Wasmtime error that says what happened: a trap's <c>wasm trap: ...</c> (after its backtrace
    /// and "Caused by:"), else the first line.
    /// </summary>
    private static string Describe(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.FirstOrDefault(l => l.StartsWith("wasm trap:", StringComparison.Ordinal))
            ?? lines.SkipWhile(l => !l.StartsWith("Caused by:", StringComparison.Ordinal)).Skip(1).LastOrDefault()
            ?? lines.FirstOrDefault()
            ?? message;
    }

    private static void CheckRange(long memoryLength, uint pointer, uint length, string what)
    {
        if ((ulong)pointer + length > (ulong)memoryLength)
        {
            throw new PluginCallException($"{what} at {pointer} with length {length} lies outside the plugin's memory of {memoryLength} bytes");
        }
    }

    private byte[] Call(string hook, byte[] request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var deadline = new CancellationTokenSource(_timeout);
        using var onDeadline = deadline.Token.Register(_engine.IncrementEpoch);
        using var onCancel = cancellationToken.Register(_engine.IncrementEpoch);
        try
        {
            var instance = _instance ?? Reinstantiate();
            _store!.SetEpochDeadline(1);
            return Exchange(instance, hook, request);
        }
        catch (WasmtimeException e)
        {
            // Whatever the plugin was doing is unfinished: the next call starts from a fresh instance.
            _instance = null;
            cancellationToken.ThrowIfCancellationRequested();
            throw deadline.IsCancellationRequested
                ? new PluginCallException($"timed out after {TaskInvoker.FormatDuration(_timeout)}", e)
                : new PluginCallException(e.ExitCode is { } code ? $"exited with code {code}" : Describe(e.Message), e);
        }
        finally
        {
            _stdout.Flush();
            _stderr.Flush();
        }
    }

    private static byte[] Exchange(Instance instance, string hook, byte[] request)
    {
        var memory = instance.GetMemory(MemoryName)!;
        var alloc = instance.GetFunction<int, int>(AllocExport)!;
        var free = instance.GetAction<int, int>(FreeExport)!;
        var call = instance.GetFunction<int, int, long>(hook)!;

        var input = (uint)alloc(request.Length);
        if (input == 0)
        {
            throw new PluginCallException($"plugin_alloc({request.Length}) failed");
        }

        CheckRange(memory.GetLength(), input, (uint)request.Length, "plugin_alloc's buffer");
        request.CopyTo(memory.GetSpan((long)input, request.Length));
        var packed = (ulong)call((int)input, request.Length);
        free((int)input, request.Length);

        var output = (uint)(packed >> 32);
        var length = (uint)packed;
        if (length == 0)
        {
            return [];
        }

        if (length > MaxAnswerBytes)
        {
            throw new PluginCallException($"the answer of {hook} is {length} bytes, more than the {MaxAnswerBytes} allowed");
        }

        CheckRange(memory.GetLength(), output, length, $"the answer of {hook}");
        var answer = memory.GetSpan((long)output, (int)length).ToArray();
        free((int)output, (int)length);
        return answer;
    }

    private Instance Reinstantiate()
    {
        Log.Reinstantiated(_logger, Name);
        try
        {
            return Instantiate();
        }
        catch (PluginCallException e)
        {
            throw new PluginCallException($"re-instantiation failed: {e.Message}", e);
        }
    }

    /// <summary>A fresh store and instance; runs the start function and a reactor's <c>_initialize</c>.</summary>
    private Instance Instantiate()
    {
        _store?.Dispose();
        _store = null;
        var store = new Store(_engine);
        try
        {
            store.SetLimits(memorySize: MaxMemoryBytes);
            store.SetWasiConfiguration(new WasiConfiguration()
                .WithArg(Name)
                .WithStandardOutputCallback(_stdout.Append)
                .WithStandardErrorCallback(_stderr.Append));
            using var deadline = new CancellationTokenSource(_timeout);
            using var onDeadline = deadline.Token.Register(_engine.IncrementEpoch);
            store.SetEpochDeadline(1);
            try
            {
                var instance = _linker.Instantiate(store, _module);
                instance.GetAction("_initialize")?.Invoke();
                _store = store;
                _instance = instance;
                return instance;
            }
            catch (WasmtimeException e)
            {
                throw new PluginCallException(
                    deadline.IsCancellationRequested ? $"timed out after {TaskInvoker.FormatDuration(_timeout)}" : Describe(e.Message), e);
            }
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}
