using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Caching;

/// <summary>The shared engine's allocator choice and its configuration hash.</summary>
public sealed class WasmtimeEngineTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public WasmtimeEngineTests() => _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(_logs));

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task Constructor_Default_UsesPoolingAllocatorAndRunsGuests()
    {
        using var engine = new WasmtimeEngine(new WasmRuntimeOptions(), _loggerFactory.CreateLogger<WasmtimeEngine>());
        var runtime = new WasmtimeCoreRuntime(engine, new WasmRuntimeOptions());

        Assert.True(engine.PoolingAllocator);
        Assert.Equal("30", await runtime.RunAsync(CoreRuntimeHarness.Request(TestWasm.Add, "add", "10", "20"), CancellationToken.None));
    }

    [Fact]
    public void Constructor_PoolTooLargeToReserve_FallsBackToOnDemandAndWarns()
    {
        // A million slots of 4 GiB reservations each exceeds any 64-bit address space.
        var options = new WasmRuntimeOptions { MaxConcurrentGuests = 1_000_000, MaxMemoryBytes = 4L * 1024 * 1024 * 1024 };

        using var engine = new WasmtimeEngine(options, _loggerFactory.CreateLogger<WasmtimeEngine>());

        Assert.False(engine.PoolingAllocator);
        Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.PoolingAllocatorUnavailable && e.Level == LogLevel.Warning);
    }

    [Fact]
    public void Constructor_PoolingOff_AllocatesOnDemand()
    {
        using var engine = new WasmtimeEngine(
            new WasmRuntimeOptions { PoolingAllocator = false }, _loggerFactory.CreateLogger<WasmtimeEngine>());

        Assert.False(engine.PoolingAllocator);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == EventIds.PoolingAllocatorUnavailable);
    }

    [Fact]
    public void ConfigurationHash_DependsOnFuelOnly_NotOnLimits()
    {
        using var plain = new WasmtimeEngine(new WasmRuntimeOptions(), _loggerFactory.CreateLogger<WasmtimeEngine>());
        using var smaller = new WasmtimeEngine(
            new WasmRuntimeOptions { MaxMemoryBytes = 1024 * 1024 }, _loggerFactory.CreateLogger<WasmtimeEngine>());
        using var fueled = new WasmtimeEngine(new WasmRuntimeOptions { Fuel = 1 }, _loggerFactory.CreateLogger<WasmtimeEngine>());

        Assert.Equal(plain.ConfigurationHash, smaller.ConfigurationHash);
        Assert.NotEqual(plain.ConfigurationHash, fueled.ConfigurationHash);
        Assert.Matches("^[0-9a-f]{64}$", plain.ConfigurationHash);
    }
}
