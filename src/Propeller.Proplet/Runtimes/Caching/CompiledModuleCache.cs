using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace Propeller.Proplet.Runtimes.Caching;

/// <summary>
/// Compiled Wasm of one <see cref="WasmtimeEngine"/>: an in-memory LRU in front of files under
/// <see cref="WasmRuntimeOptions.CacheDirectory"/>, keyed by the sha256 of the bytes and the engine's
/// <see cref="WasmtimeEngine.ConfigurationHash"/>. A damaged or unreadable file is recompiled and replaced with a
/// warning, never a failure. Core modules use <see cref="GetModule"/>; other artifacts (components) use
/// <see cref="GetOrCompile{T}"/> with their own compile and (optional) serialize functions.
/// </summary>
/// <remarks>
/// Returned artifacts are shared: callers must not dispose them. An artifact dropped from the LRU may still be in use
/// by a running execution, so it is not disposed either; its safe handle frees it once nothing refers to it.
/// </remarks>
internal sealed partial class CompiledModuleCache
{
    public const string CoreModuleKind = "module";

    private readonly WasmtimeEngine _wasmtime;
    private readonly string? _directory;
    private readonly LruCache<object> _recent;
    private readonly ILogger _logger;
    private readonly Lock[] _keyLocks = Enumerable.Range(0, 32).Select(_ => new Lock()).ToArray();
    private long _compiledModules;
    private long _cacheHits;
    private long _diskLoads;

    public CompiledModuleCache(WasmtimeEngine wasmtime, WasmRuntimeOptions options, ILogger<CompiledModuleCache> logger)
    {
        ArgumentNullException.ThrowIfNull(wasmtime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _wasmtime = wasmtime;
        _directory = options.CacheDirectory is { Length: > 0 } directory
            ? Path.Combine(directory, wasmtime.ConfigurationHash[..16])
            : null;
        _recent = new LruCache<object>(options.MemoryCacheEntries);
        _logger = logger;
    }

    /// <summary>An in-memory cache of the default size with no directory, for hosts that set up nothing.</summary>
    public static CompiledModuleCache InMemory(WasmtimeEngine wasmtime) =>
        new(wasmtime, new WasmRuntimeOptions(), NullLogger<CompiledModuleCache>.Instance);

    /// <summary>Artifacts compiled from Wasm bytes (not loaded from memory or disk).</summary>
    public long CompiledModules => Interlocked.Read(ref _compiledModules);

    /// <summary>Requests answered without compiling: from memory or from disk.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Requests answered by deserializing a file.</summary>
    public long DiskLoads => Interlocked.Read(ref _diskLoads);

    /// <summary>The compiled core module for <paramref name="wasm"/>.</summary>
    /// <exception cref="WasmtimeException">The bytes do not compile.</exception>
    public Module GetModule(string name, ReadOnlyMemory<byte> wasm) => GetOrCompile(
        CoreModuleKind,
        name,
        wasm,
        bytes => Module.FromBytes(_wasmtime.Engine, name, bytes.Span),
        module => module.Serialize(),
        payload => Module.Deserialize(_wasmtime.Engine, name, payload));

    /// <summary>
    /// The artifact of kind <paramref name="kind"/> for <paramref name="wasm"/>: from memory, else from disk (when
    /// <paramref name="deserialize"/> is given), else compiled (and written to disk when <paramref name="serialize"/>
    /// is given). Exceptions of <paramref name="compile"/> propagate.
    /// </summary>
    public T GetOrCompile<T>(
        string kind,
        string name,
        ReadOnlyMemory<byte> wasm,
        Func<ReadOnlyMemory<byte>, T> compile,
        Func<T, byte[]>? serialize = null,
        Func<byte[], T>? deserialize = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(compile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(wasm.Span));
        var key = $"{kind}-{hash}";
        if (_recent.TryGet(key, out var recent) && recent is T fromMemory)
        {
            Hit(name, key, "memory");
            return fromMemory;
        }

        // One loader per key at a time, so concurrent starts of one module compile it once.
        lock (_keyLocks[(int)((uint)key.GetHashCode(StringComparison.Ordinal) % _keyLocks.Length)])
        {
            if (_recent.TryGet(key, out recent) && recent is T loadedMeanwhile)
            {
                Hit(name, key, "memory");
                return loadedMeanwhile;
            }

            var path = _directory is null ? null : Path.Combine(_directory, key + ".cwasm");
            if (path is not null && deserialize is not null && TryLoad(path, name, deserialize) is { } fromDisk)
            {
                Interlocked.Increment(ref _diskLoads);
                Hit(name, key, "disk");
                _recent.Set(key, fromDisk);
                return fromDisk;
            }

            var compiled = compile(wasm);
            Interlocked.Increment(ref _compiledModules);
            LogCompiled(_logger, name, key);
            if (path is not null && serialize is not null)
            {
                Store(path, compiled, serialize);
            }

            _recent.Set(key, compiled);
            return compiled;
        }
    }

    private T? TryLoad<T>(string path, string name, Func<byte[], T> deserialize)
        where T : class
    {
        byte[]? payload;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            payload = CompiledArtifactFile.ReadPayload(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnusable(_logger, path, name, e.Message);
            return null;
        }

        if (payload is null)
        {
            LogUnusable(_logger, path, name, "the file is truncated or its checksum does not match");
            return null;
        }

        try
        {
            return deserialize(payload);
        }
        catch (WasmtimeException e)
        {
            LogUnusable(_logger, path, name, WasmtimeErrorText.Of(e));
            return null;
        }
    }

    private void Store<T>(string path, T compiled, Func<T, byte[]> serialize)
    {
        try
        {
            CompiledArtifactFile.Write(path, serialize(compiled));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            LogWriteFailed(_logger, path, e.Message);
        }
    }

    private void Hit(string name, string key, string source)
    {
        Interlocked.Increment(ref _cacheHits);
        LogHit(_logger, name, key, source);
    }

    [LoggerMessage(
        EventId = Diagnostics.EventIds.ModuleCompiled, Level = LogLevel.Information,
        Message = "Compiled Wasm for {Name} ({Key})")]
    private static partial void LogCompiled(ILogger logger, string name, string key);

    [LoggerMessage(
        EventId = Diagnostics.EventIds.ModuleCacheHit, Level = LogLevel.Debug,
        Message = "Reused compiled Wasm for {Name} ({Key}) from {Source}")]
    private static partial void LogHit(ILogger logger, string name, string key, string source);

    [LoggerMessage(
        EventId = Diagnostics.EventIds.ModuleCacheEntryUnusable, Level = LogLevel.Warning,
        Message = "Compiled-module cache file {Path} for {Name} is unusable ({Reason}); recompiling and replacing it")]
    private static partial void LogUnusable(ILogger logger, string path, string name, string reason);

    [LoggerMessage(
        EventId = Diagnostics.EventIds.ModuleCacheWriteFailed, Level = LogLevel.Warning,
        Message = "Could not write compiled-module cache file {Path}: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
