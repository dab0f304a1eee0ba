using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Caching;
using Wasmtime;

namespace Propeller.Benchmarks;

/// <summary>Getting a compiled module: compile from bytes vs load the proplet's disk cache (no in-memory LRU).</summary>
[MemoryDiagnoser]
public class CompileBenchmarks : IDisposable
{
    private DirectoryInfo? _directory;
    private WasmtimeEngine? _engine;
    private CompiledModuleCache? _cache;
    private byte[] _wasm = [];

    [Params("add", "hello-env")]
    public string Guest { get; set; } = "add";

    [GlobalSetup]
    public void Setup()
    {
        _wasm = Guest == "add" ? BenchmarkWasm.Add : BenchmarkWasm.HelloEnv;
        _directory = Directory.CreateTempSubdirectory("propeller-bench-cache-");
        var options = new WasmRuntimeOptions { CacheDirectory = _directory.FullName, MemoryCacheEntries = 0 };
        _engine = new WasmtimeEngine(options, NullLogger<WasmtimeEngine>.Instance);
        _cache = new CompiledModuleCache(_engine, options, NullLogger<CompiledModuleCache>.Instance);
        // With no in-memory entries the cache keeps no module, so disposing what it returns is safe here.
        _cache.GetModule(Guest, _wasm).Dispose();
    }

    [Benchmark(Baseline = true)]
    public void ColdCompile()
    {
        using var module = Module.FromBytes(_engine!.Engine, Guest, _wasm);
    }

    [Benchmark]
    public void CacheLoad()
    {
        using var module = _cache!.GetModule(Guest, _wasm);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _engine?.Dispose();
        _directory?.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}
