using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Limits;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>Each limit fails only its own task with a clear error; the same runtime then runs <c>add</c>.</summary>
public sealed class TaskLimitTests
{
    private const long OneMiB = 1024 * 1024;

    // Generous: the limit fires in milliseconds, but CI machines stall.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_InfiniteLoopPastRequestTimeout_FailsWithTimeLimitThenAddSucceeds()
    {
        using var harness = new CoreRuntimeHarness();
        var request = CoreRuntimeHarness.Request(LimitWasm.Spin, "spin") with { Timeout = TimeSpan.FromMilliseconds(200) };

        var error = await harness.ErrorOfAsync(request).WaitAsync(Bound);

        Assert.Equal("task exceeded its time limit of 200 ms", error);
        Assert.Equal(0, harness.Runtime.ActiveExecutions);
        Assert.Equal("30", await harness.RunAsync(TestWasm.Add, "add", "10", "20"));
    }

    [Fact]
    public async Task RunAsync_InfiniteLoopWithDefaultTimeout_FailsWithDefaultLimit()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { TaskTimeout = TimeSpan.FromMilliseconds(300) });

        var error = await harness.ErrorOfAsync(LimitWasm.Spin, "spin").WaitAsync(Bound);

        Assert.Equal("task exceeded its time limit of 300 ms", error);
        Assert.Equal("3", await harness.RunAsync(TestWasm.Add, "add", "1", "2"));
    }

    [Fact]
    public async Task RunAsync_TimeoutWhileAnotherGuestRuns_OnlyTheTimedOutTaskFails()
    {
        using var harness = new CoreRuntimeHarness();
        using var stop = new CancellationTokenSource();
        var untimed = harness.Runtime.RunAsync(CoreRuntimeHarness.Request(LimitWasm.Spin, "spin"), stop.Token);
        var timed = CoreRuntimeHarness.Request(LimitWasm.Spin, "spin") with { Timeout = TimeSpan.FromMilliseconds(100) };

        Assert.Equal("task exceeded its time limit of 100 ms", await harness.ErrorOfAsync(timed).WaitAsync(Bound));

        Assert.False(untimed.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => untimed.WaitAsync(Bound));
    }

    [Fact]
    public async Task RunAsync_MemoryGrowBeyondLimit_FailsWithMemoryLimitThenAddSucceeds()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { MaxMemoryBytes = OneMiB });

        var error = await harness.ErrorOfAsync(LimitWasm.Hog, "hog");

        Assert.StartsWith($"task exceeded its memory limit of {OneMiB} bytes: Failed to call function 'hog'", error);
        Assert.Equal("30", await harness.RunAsync(TestWasm.Add, "add", "10", "20"));
    }

    [Fact]
    public async Task RunAsync_TrapFarBelowMemoryLimit_KeepsPlainTrapError()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { MaxMemoryBytes = OneMiB });

        var error = await harness.ErrorOfAsync(TestWasm.Misc, "crash");

        Assert.DoesNotContain("memory limit", error, StringComparison.Ordinal);
        Assert.StartsWith("Failed to call function 'crash'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InitialMemoryOverLimit_FailsWithMemoryLimit()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { MaxMemoryBytes = OneMiB });

        var error = await harness.ErrorOfAsync(LimitWasm.LargeInitialMemory, "main");

        // Refused at instantiation by an on-demand engine, or already at compilation by the pooling allocator.
        Assert.Matches($"^task exceeded its memory limit of {OneMiB} bytes: Failed to (instantiate|compile) ", error);
        Assert.Equal("30", await harness.RunAsync(TestWasm.Add, "add", "10", "20"));
    }

    [Fact]
    public async Task RunAsync_FuelExhausted_FailsWithFuelErrorThenAddSucceeds()
    {
        var options = new WasmRuntimeOptions { Fuel = 10_000 };
        using var engine = new WasmtimeEngine(options, NullLogger<WasmtimeEngine>.Instance);
        var runtime = new WasmtimeCoreRuntime(engine, options);

        var error = await Assert.ThrowsAsync<WasmExecutionException>(
            () => runtime.RunAsync(CoreRuntimeHarness.Request(LimitWasm.Spin, "spin"), CancellationToken.None).WaitAsync(Bound));

        Assert.StartsWith("task ran out of fuel (10000 units): Failed to call function 'spin'", error.Message);
        Assert.True(engine.FuelEnabled);
        Assert.Equal("100", await runtime.RunAsync(CoreRuntimeHarness.Request(LimitWasm.Count, "count", "100"), CancellationToken.None));
        Assert.Equal("30", await runtime.RunAsync(CoreRuntimeHarness.Request(TestWasm.Add, "add", "10", "20"), CancellationToken.None));
    }

    [Fact]
    public void Constructor_FuelOnEngineWithoutFuel_Throws()
    {
        using var engine = new WasmtimeEngine();

        var error = Assert.Throws<ArgumentException>(() => new WasmtimeCoreRuntime(engine, new WasmRuntimeOptions { Fuel = 5 }));

        Assert.Contains("Fuel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_RequestTimeout_OverridesDefault()
    {
        var options = new WasmRuntimeOptions { TaskTimeout = TimeSpan.FromSeconds(5), Fuel = 7 };
        var request = CoreRuntimeHarness.Request(TestWasm.Add, "add");

        Assert.Equal(TimeSpan.FromSeconds(5), TaskLimits.For(request, options).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(1), TaskLimits.For(request with { Timeout = TimeSpan.FromSeconds(1) }, options).Timeout);
        Assert.Equal(7UL, TaskLimits.For(request, options).Fuel);
    }
}
