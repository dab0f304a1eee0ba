using Propeller.Proplet.Runtimes;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>
/// Guests beyond <see cref="WasmRuntimeOptions.MaxConcurrentGuests"/> wait for a slot instead of failing, and a stop
/// reaches a waiting one too.
/// </summary>
public sealed class GuestSlotTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static byte[] Nap => TestWasm.Example("nap/nap.wat");

    [Fact]
    public async Task RunAsync_MoreGuestsThanSlots_ExtraRunsWaitThenAllComplete()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { MaxConcurrentGuests = 2 });

        var runs = Enumerable.Range(0, 5).Select(_ => harness.RunAsync(Nap, "nap", "400")).ToList();

        await Eventually.TrueAsync(
            () => harness.Runtime.ActiveExecutions == 2 && harness.Engine.Slots.Waiting == 3, "two running, three waiting");
        Assert.All(await Task.WhenAll(runs).WaitAsync(Bound), output => Assert.Equal("42", output));
        Assert.Equal(0, harness.Engine.Slots.Waiting);
        Assert.Equal(0, harness.Runtime.ActiveExecutions);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileWaiting_IsCancelledWithoutRunningAndOthersGoOn()
    {
        using var harness = new CoreRuntimeHarness(new WasmRuntimeOptions { MaxConcurrentGuests = 1 });
        using var stopRunning = new CancellationTokenSource();
        using var stopWaiting = new CancellationTokenSource();
        var started = 0;
        WasmRunRequest Spin() => CoreRuntimeHarness.Request(LimitWasm.Spin, "spin") with
        {
            OnGuestThreadStarted = () => Interlocked.Increment(ref started),
        };
        var running = harness.Runtime.RunAsync(Spin(), stopRunning.Token);
        var waiting = harness.Runtime.RunAsync(Spin(), stopWaiting.Token);
        await Eventually.TrueAsync(() => harness.Engine.Slots.Waiting == 1, "the second run to wait");

        await stopWaiting.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        Assert.Equal(1, Volatile.Read(ref started));
        Assert.False(running.IsCompleted);
        await stopRunning.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Bound));
        Assert.Equal("30", await harness.RunAsync(TestWasm.Add, "add", "10", "20").WaitAsync(Bound));
    }

    [Fact]
    public async Task RunAsync_MoreGuestsThanTheDefaultPool_AllCompleteAndNeverMoreThanItsSlotsAtOnce()
    {
        using var harness = new CoreRuntimeHarness();
        var capacity = WasmRuntimeOptions.DefaultMaxConcurrentGuests;
        var peak = 0;
        using var sampling = new CancellationTokenSource();

        // Its own thread: 100 guest threads on a busy machine can keep a thread-pool sampler from ever running.
        var sampler = new Thread(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, harness.Runtime.ActiveExecutions);
                Thread.Sleep(2);
            }
        });
        sampler.Start();

        var runs = Enumerable.Range(0, capacity + 36).Select(_ => harness.RunAsync(Nap, "nap", "300")).ToList();
        var outputs = await Task.WhenAll(runs).WaitAsync(Bound);
        await sampling.CancelAsync();
        sampler.Join();

        Assert.All(outputs, output => Assert.Equal("42", output));
        Assert.InRange(peak, 1, capacity);
    }
}
