using Wasmtime;

namespace Propeller.Proplet.Runtimes.Limits;

/// <summary>The store one guest runs in, with its task's limits; shared by the core-module and component runtimes.</summary>
internal static class GuestStore
{
    /// <summary>
    /// A store with the task's memory and fuel limits. A stop or the deadline advances the engine epoch; this store
    /// then reaches its epoch deadline and the callback decides: trap for this task, or one more epoch for a task that
    /// is fine.
    /// </summary>
    public static Store Create(WasmtimeEngine wasmtime, TaskLimits limits, TaskDeadline deadline, CancellationToken cancellationToken)
    {
        var store = new Store(wasmtime.Engine);
        store.SetLimits(memorySize: limits.MaxMemoryBytes);
        if (limits.Fuel > 0)
        {
            store.Fuel = limits.Fuel;
        }

        store.SetEpochDeadline(1);
        store.SetEpochDeadlineCallback(_ =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return deadline.Expired ? throw new TimeoutException(limits.TimeExceeded) : 1UL;
        });
        return store;
    }
}
