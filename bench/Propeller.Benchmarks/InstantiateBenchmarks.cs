using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Wasmtime;

namespace Propeller.Benchmarks;

/// <summary>Instantiate a compiled core module in a fresh store and call <c>add</c>: on-demand vs pooling allocator.</summary>
[MemoryDiagnoser]
public class InstantiateBenchmarks : IDisposable
{
    private WasmtimeEngine? _engine;
    private Module? _module;
    private Linker? _linker;

    [Params(false, true)]
    public bool Pooling { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new WasmRuntimeOptions { PoolingAllocator = Pooling };
        _engine = new WasmtimeEngine(options, NullLogger<WasmtimeEngine>.Instance);
        if (_engine.PoolingAllocator != Pooling)
        {
            throw new InvalidOperationException("The pooling allocator could not be reserved on this machine.");
        }

        _module = Module.FromBytes(_engine.Engine, "add", BenchmarkWasm.Add);
        _linker = new Linker(_engine.Engine);
    }

    [Benchmark]
    public int InstantiateAndCallAdd()
    {
        using var store = new Store(_engine!.Engine);
        store.SetLimits(memorySize: WasmRuntimeOptions.DefaultMaxMemoryBytes);
        store.SetEpochDeadline(1);
        var instance = _linker!.Instantiate(store, _module!);
        return (int)instance.GetFunction("add")!.Invoke(10, 20)!;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _linker?.Dispose();
        _module?.Dispose();
        _engine?.Dispose();
        GC.SuppressFinalize(this);
    }
}
