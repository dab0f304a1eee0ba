using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// The one Wasmtime <see cref="Wasmtime.Engine"/> of a proplet, shared by every execution. Epoch interruption is on:
/// each store gets a deadline one epoch ahead and a callback that either extends it or, for a stopped task, traps.
/// </summary>
/// <remarks>
/// The epoch only advances when a task is stopped (<see cref="Interrupt"/>), not on a timer: every running guest then
/// reaches its deadline at its next function entry or loop back-edge, the stopped one traps and the others carry on.
/// An idle proplet therefore spends nothing on interruption. Dispose only after every execution has ended.
/// </remarks>
internal sealed class WasmtimeEngine : IDisposable
{
    public WasmtimeEngine()
    {
        using var config = new Config()
            .WithReferenceTypes(true)
            .WithBulkMemory(true)
            .WithSIMD(true)
            .WithComponentModel(true)
            .WithEpochInterruption(true);
        Engine = new Engine(config);
    }

    public Engine Engine { get; }

    /// <summary>Advances the epoch so every running guest checks whether it has been stopped.</summary>
    public void Interrupt() => Engine.IncrementEpoch();

    public void Dispose() => Engine.Dispose();
}
