using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes.Limits;
using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>
/// The one Wasmtime <see cref="Wasmtime.Engine"/> of a proplet, shared by every execution. Epoch interruption is on:
/// each store gets a deadline one epoch ahead and a callback that either extends it or, for a stopped task, traps.
/// </summary>
/// <remarks>
/// The epoch only advances when a task is stopped or times out (<see cref="Interrupt"/>), not on a timer: every
/// running guest then reaches its deadline at its next function entry or loop back-edge, the affected one traps and
/// the others carry on. An idle proplet therefore spends nothing on interruption. Instances come from the pooling
/// allocator when the platform lets it reserve the pool, else on demand. Dispose only after every execution has ended.
/// </remarks>
internal sealed partial class WasmtimeEngine : IDisposable
{
    private const long WasmPageBytes = 64 * 1024;

    // Pooled stacks serve only async fibers, which the .NET binding never runs (and cannot size); Wasmtime's
    // default of 1000 of them is still counted among the pool's kernel mappings.
    private const uint PoolStacks = 1000;

    private const uint CoreInstancesPerGuest = 8;

    public WasmtimeEngine()
        : this(new WasmRuntimeOptions(), NullLogger<WasmtimeEngine>.Instance)
    {
    }

    public WasmtimeEngine(WasmRuntimeOptions options, ILogger<WasmtimeEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        FuelEnabled = options.Fuel > 0;
        var unreservable = options.PoolingAllocator
            ? PoolReservationProbe.CannotReserve(
                PoolReservationProbe.RequiredBytes(MemorySlots(options), options.MaxMemoryBytes),
                PoolReservationProbe.RequiredMappings(MemorySlots(options) + (3L * options.MaxConcurrentGuests), PoolStacks))
            : null;
        if (unreservable is not null)
        {
            LogPoolingUnavailable(logger, unreservable);
        }
        else if (options.PoolingAllocator)
        {
            try
            {
                Engine = Create(options, pooling: true);
                PoolingAllocator = true;
            }
            catch (WasmtimeException e)
            {
                LogPoolingUnavailable(logger, WasmtimeErrorText.Of(e));
            }
        }

        Engine ??= Create(options, pooling: false);
        Slots = new GuestSlots(options.MaxConcurrentGuests);
        ConfigurationHash = HashOf(options);
        LogEngineCreated(logger, PoolingAllocator, FuelEnabled);
    }

    public Engine Engine { get; }

    /// <summary>Admission to run a guest in this engine; every runtime sharing the engine shares the slots.</summary>
    public GuestSlots Slots { get; }

    /// <summary>Whether instances come from the pooling allocator (false: it was off or could not be reserved).</summary>
    public bool PoolingAllocator { get; }

    /// <summary>Whether stores meter fuel; only then may they be given <see cref="Store.Fuel"/>.</summary>
    public bool FuelEnabled { get; }

    /// <summary>
    /// Hex sha256 of everything that makes compiled code of this engine incompatible with another's: the Wasmtime
    /// version, the target and the settings. Compiled-module caches key on it.
    /// </summary>
    public string ConfigurationHash { get; }

    /// <summary>Advances the epoch so every running guest checks whether it has been stopped.</summary>
    public void Interrupt() => Engine.IncrementEpoch();

    public void Dispose()
    {
        Engine.Dispose();
        Slots.Dispose();
    }

    private static Engine Create(WasmRuntimeOptions options, bool pooling)
    {
        using var config = new Config()
            .WithReferenceTypes(true)
            .WithBulkMemory(true)
            .WithSIMD(true)
            .WithComponentModel(true)
            .WithEpochInterruption(true)
            .WithFuelConsumption(options.Fuel > 0);
        if (!pooling)
        {
            return new Engine(config);
        }

        // One slot per concurrently running guest; a slot is as large as the store memory limit allows, so the pool
        // never refuses a growth the limit would allow. The reservation is virtual: idle slots cost no memory.
        var slots = (uint)options.MaxConcurrentGuests;
        var slotBytes = (options.MaxMemoryBytes + WasmPageBytes - 1) / WasmPageBytes * WasmPageBytes;
        using var pool = new PoolingAllocationConfig()
            .WithTotalComponentInstances(slots)
            // A component holds several core instances (its modules, adapters and shims).
            .WithMaxCoreInstances(slots * CoreInstancesPerGuest)
            .WithMaxMemories((uint)MemorySlots(options))
            .WithMaxTables(slots * 2)
            .WithMaxMemoriesPerModule(2)
            .WithMaxTablesPerModule(2)
            .WithMaxMemorySize((nuint)slotBytes)
            .WithMaxUnusedWarmSlots(Math.Min(slots, 16u))
            .WithMaxGcHeaps(slots);
        config.WithPoolingAllocationStrategy(pool);
        return new Engine(config);
    }

    // Two memories per instance: room for a multi-memory module without doubling the instance count.
    private static long MemorySlots(WasmRuntimeOptions options) => options.MaxConcurrentGuests * 2L;

    private static string HashOf(WasmRuntimeOptions options)
    {
        var description = string.Join(
            ';',
            typeof(Engine).Assembly.GetName().Version,
            RuntimeInformation.ProcessArchitecture,
            RuntimeInformation.RuntimeIdentifier,
            "reference-types,bulk-memory,simd,component-model,epoch",
            options.Fuel > 0 ? "fuel" : "no-fuel");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
    }

    [LoggerMessage(
        EventId = Diagnostics.EventIds.PoolingAllocatorUnavailable,
        Level = LogLevel.Warning,
        Message = "The Wasmtime pooling allocator could not reserve its pool ({Reason}); instances are allocated on demand")]
    private static partial void LogPoolingUnavailable(ILogger logger, string reason);

    [LoggerMessage(
        EventId = Diagnostics.EventIds.WasmEngineCreated,
        Level = LogLevel.Debug,
        Message = "Wasmtime engine created (pooling allocator: {Pooling}, fuel: {Fuel})")]
    private static partial void LogEngineCreated(ILogger logger, bool pooling, bool fuel);
}
