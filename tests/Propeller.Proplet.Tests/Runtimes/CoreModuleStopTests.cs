using System.Diagnostics;
using Propeller.Proplet.Runtimes;

namespace Propeller.Proplet.Tests.Runtimes;

/// <summary>A stop interrupts the guest for real and frees its thread (DECISIONS §4 Proplet 5).</summary>
public sealed class CoreModuleStopTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(1);

    private readonly CoreRuntimeHarness _harness = new();
    private readonly List<DirectoryInfo> _directories = [];

    public void Dispose()
    {
        _harness.Dispose();
        foreach (var directory in _directories)
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_InfiniteLoopStopped_CompletesCanceledWithinOneSecondAndFreesThread()
    {
        using var stop = new CancellationTokenSource();
        var run = await StartSpinningAsync(stop.Token);

        stop.Cancel();

        // Watched from this thread, not through a continuation a loaded thread pool may run late.
        Assert.True(SpinWait.SpinUntil(() => run.IsCompleted, StopBound), "the run did not end within 1 s of the stop");
        var exception = await Record.ExceptionAsync(() => run);

        Assert.IsType<TaskCanceledException>(exception);
        Assert.True(run.IsCanceled);
        Assert.Equal(0, _harness.Runtime.ActiveExecutions);
        Assert.Equal("30", await _harness.RunAsync(TestWasm.Add, "add", "10", "20"));
    }

    [Fact]
    public async Task RunAsync_ExampleLoopStopped_CompletesCanceled()
    {
        using var stop = new CancellationTokenSource();
        var run = _harness.Runtime.RunAsync(
            CoreRuntimeHarness.Request(TestWasm.Example("loop/loop.wat"), "loop"), stop.Token);

        stop.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(StartTimeout));
        Assert.Equal(0, _harness.Runtime.ActiveExecutions);
    }

    [Fact]
    public async Task RunAsync_OneOfTwoLoopsStopped_OtherKeepsRunning()
    {
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var first = await StartSpinningAsync(stopFirst.Token);
        var second = await StartSpinningAsync(stopSecond.Token);

        stopFirst.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(StartTimeout));

        Assert.False(second.IsCompleted);
        Assert.Equal(1, _harness.Runtime.ActiveExecutions);
        stopSecond.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(StartTimeout));
    }

    [Fact]
    public async Task RunAsync_AlreadyCanceled_DoesNotStartTheGuest()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var run = _harness.Runtime.RunAsync(CoreRuntimeHarness.Request(TestWasm.Add, "add", "1", "2"), stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(0, _harness.Runtime.ActiveExecutions);
    }

    [Fact]
    public async Task RunAsync_EightConcurrentRuns_AllSucceed()
    {
        var hello = TestWasm.Example("hello-env/hello_env.wasm");
        var adds = Enumerable.Range(0, 6).Select(i => _harness.RunAsync(TestWasm.Add, "add", $"{i}", "100"));
        var greetings = Enumerable.Range(0, 2).Select(_ => _harness.RunAsync(hello, "_start"));

        var results = await Task.WhenAll(adds.Concat(greetings)).WaitAsync(StartTimeout);

        Assert.Equal(["100", "101", "102", "103", "104", "105"], results[..6]);
        Assert.All(results[6..], greeting => Assert.Equal("Hello from Propeller!\n", greeting));
    }

    // Starts the signalling loop and waits until the guest is inside it (it has created its "started" file).
    private async Task<Task<string>> StartSpinningAsync(CancellationToken stop)
    {
        var directory = Directory.CreateTempSubdirectory("propeller-stop-");
        _directories.Add(directory);
        var request = CoreRuntimeHarness.Request(TestWasm.SignalThenLoop, "spin") with
        {
            PreopenDirs = [directory.FullName],
        };
        var run = _harness.Runtime.RunAsync(request, stop);

        var waited = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(directory.FullName, "started")))
        {
            Assert.False(run.IsCompleted, $"The guest ended before spinning: {run.Exception?.InnerException?.Message}");
            Assert.True(waited.Elapsed < StartTimeout, "The guest never started spinning.");
            await Task.Delay(10, CancellationToken.None);
        }

        return run;
    }
}
