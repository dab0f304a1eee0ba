using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class StopTaskTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Stop_InfiniteLoop_GuestStopsAndCancellationIsReported()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var runtime = proplet.Service<WasmtimeCoreRuntime>();

        await proplet.StartTaskAsync(Payloads.Start("spin", "loop", ExampleWasm.Loop));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the guest to run");
        await proplet.StopTaskAsync("spin");

        var result = await proplet.ResultAsync("spin");
        Assert.Equal("", result.Text("results"));
        Assert.Equal("Task was cancelled or panicked", result.Text("error"));
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the guest thread to end");
        Assert.Equal("30", (await proplet.RunAddAsync("afterwards")).Text("results"));
        var metrics = proplet.Service<PropletMetrics>();
        Assert.Equal(1, metrics.TasksFailed);
        Assert.Equal(1, metrics.TasksCompleted);
    }

    [Fact]
    public async Task Stop_UnknownTask_PublishesNothingAndWarns()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StopTaskAsync("nobody");
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.StopOfUnknownTask && e.Message.Contains("nobody", StringComparison.Ordinal)),
            "the unknown stop to be logged");
        await proplet.RunAddAsync("afterwards");

        Assert.Equal(["afterwards"], proplet.Messages("control/proplet/results").Select(m => m.Text("task_id")));
    }

    [Fact]
    public async Task Shutdown_WithRunningTask_ReportsItCancelledBeforeGoingOffline()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var runtime = proplet.Service<WasmtimeCoreRuntime>();
        await proplet.StartTaskAsync(Payloads.Start("spin", "loop", ExampleWasm.Loop));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the guest to run");

        await proplet.StopHostAsync();

        var result = await proplet.ResultAsync("spin");
        var offline = await proplet.WaitForAsync("control/proplet/alive", m => m.Text("status") == "offline");
        Assert.Equal("Task was cancelled or panicked", result.Text("error"));
        Assert.True(result.ReceivedAt <= offline.ReceivedAt);
        Assert.Equal(0, runtime.ActiveExecutions);
    }

    [Fact]
    public async Task Start_AfterShutdownStoppedTheTasks_IsRejectedAndNeverRuns()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.Service<TaskSupervisor>().StopAllAsync(CancellationToken.None);

        await proplet.StartTaskAsync(Payloads.Start("late", "add", ExampleWasm.Add, inputs: ["\"1\"", "\"2\""]));

        var result = await proplet.ResultAsync("late");
        Assert.Equal($"proplet {proplet.PropletId} is shutting down", result.Text("error"));
        Assert.Equal(0, proplet.Service<RunningTaskTable>().InFlightCount);
        Assert.Equal(0, proplet.Service<PropletMetrics>().TasksStarted);
    }
}
