using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Wasmtime;
using Wasmtime.Components;

namespace Propeller.Benchmarks;

/// <summary>
/// Instantiate the <c>greet</c> component in a fresh store (with WASI p2 linked, as the proplet does) and call
/// <c>greet("world")</c>: on-demand vs pooling allocator. Next to <see cref="InstantiateBenchmarks"/> it shows what a
/// component costs over a core module.
/// </summary>
[MemoryDiagnoser]
public class ComponentInstantiateBenchmarks : IDisposable
{
    private WasmtimeEngine? _engine;
    private Component? _component;
    private ComponentLinker? _linker;

    [Params(false, true)]
    public bool Pooling { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new WasmtimeEngine(new WasmRuntimeOptions { PoolingAllocator = Pooling }, NullLogger<WasmtimeEngine>.Instance);
        if (_engine.PoolingAllocator != Pooling)
        {
            throw new InvalidOperationException("The pooling allocator could not be reserved on this machine.");
        }

        _component = Component.FromBytes(_engine.Engine, BenchmarkWasm.Greet);
        _linker = new ComponentLinker(_engine.Engine);
        _linker.AddWasiPreview2();
    }

    [Benchmark]
    public ComponentValue? InstantiateAndCallGreet()
    {
        using var store = new Store(_engine!.Engine);
        store.SetLimits(memorySize: WasmRuntimeOptions.DefaultMaxMemoryBytes);
        store.SetEpochDeadline(1);
        var instance = _linker!.Instantiate(store, _component!);
        return instance.GetFunction("greet")!.Call(ComponentValue.String("world"));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _linker?.Dispose();
        _component?.Dispose();
        _engine?.Dispose();
        GC.SuppressFinalize(this);
    }
}
