using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Wasmtime;

namespace Propeller.LoadDriver.Measure;

/// <summary>
/// The least a task can cost on a proplet: instantiate the compiled module in a fresh store and call <c>add</c>,
/// with the proplet's default engine settings (pooling allocator, default memory limit, epoch deadline), measured
/// in this process so dispatch latency can be stated as a multiple of it.
/// </summary>
internal static class EngineFloor
{
    public static Distribution Measure(byte[] wasm, int iterations)
    {
        using var engine = new WasmtimeEngine(new WasmRuntimeOptions(), NullLogger<WasmtimeEngine>.Instance);
        using var module = Module.FromBytes(engine.Engine, "add", wasm);
        using var linker = new Linker(engine.Engine);
        for (var i = 0; i < 1000; i++)
        {
            Call(engine, module, linker);
        }

        var samples = new TimeSpan[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Call(engine, module, linker);
            samples[i] = Stopwatch.GetElapsedTime(started);
        }

        return Distribution.Of(samples);
    }

    private static void Call(WasmtimeEngine engine, Module module, Linker linker)
    {
        using var store = new Store(engine.Engine);
        store.SetLimits(memorySize: WasmRuntimeOptions.DefaultMaxMemoryBytes);
        store.SetEpochDeadline(1);
        var instance = linker.Instantiate(store, module);
        if ((int)instance.GetFunction("add")!.Invoke(10, 20)! != 30)
        {
            throw new InvalidOperationException("add(10, 20) did not return 30");
        }
    }
}
