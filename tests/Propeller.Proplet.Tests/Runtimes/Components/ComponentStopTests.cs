using System.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Components;

public sealed class ComponentStopTests : IDisposable
{
    private readonly ComponentRuntimeHarness _harness = new();

    [Fact]
    public async Task Stop_SpinningExport_EndsWithinOneSecondAndFreesThread()
    {
        using var stop = new CancellationTokenSource();
        var run = _harness.Runtime.RunAsync(CoreRuntimeHarness.Request(TestComponents.Exports, "spin"), stop.Token);
        await Eventually.TrueAsync(() => _harness.Components.ActiveExecutions == 1, "a running guest");
        await Task.Delay(200);
        Assert.False(run.IsCompleted);

        // Watched from this thread (the counter drops when the guest thread leaves the guest), not through an
        // awaited continuation, which a loaded thread pool may run late.
        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        var freed = SpinWait.SpinUntil(() => _harness.Components.ActiveExecutions == 0, TimeSpan.FromSeconds(1));
        var freedAfter = clock.Elapsed;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(freed, $"the guest thread was still busy {freedAfter} after the stop");
    }

    [Fact]
    public async Task Stop_OneOfTwoGuests_LeavesTheOtherRunning()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var stopped = _harness.Runtime.RunAsync(CoreRuntimeHarness.Request(TestComponents.Exports, "spin"), first.Token);
        var running = _harness.Runtime.RunAsync(CoreRuntimeHarness.Request(TestComponents.Exports, "spin"), second.Token);
        await Eventually.TrueAsync(() => _harness.Components.ActiveExecutions == 2, "two running guests");

        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);
        await Task.Delay(200);
        Assert.False(running.IsCompleted);

        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task Run_AlreadyCancelled_DoesNotStart()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _harness.Runtime.RunAsync(
            CoreRuntimeHarness.Request(TestComponents.Greet, "greet", "\"x\""), stop.Token));
        Assert.Equal(0, _harness.Components.ActiveExecutions);
    }

    public void Dispose() => _harness.Dispose();
}
