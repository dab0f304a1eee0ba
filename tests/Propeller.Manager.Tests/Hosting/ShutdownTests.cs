using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Hosting;

public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static PropellerTask Task(TaskState state, string? propletId = null) =>
        new() { Id = Guid.NewGuid().ToString(), Name = state.ToString(), State = state, PropletId = propletId };

    [Fact]
    public async Task Shutdown_RunningAndScheduled_BecomeInterrupted_OthersUnchanged()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var running = await host.AddTaskAsync(Task(TaskState.Running));
        var scheduled = await host.AddTaskAsync(Task(TaskState.Scheduled));
        var completed = await host.AddTaskAsync(Task(TaskState.Completed));
        var pending = await host.AddTaskAsync(Task(TaskState.Pending));

        var interrupted = await host.Service<TaskInterruptions>().ShutdownAsync(CancellationToken.None);

        Assert.Equal(2, interrupted);
        foreach (var task in new[] { running, scheduled })
        {
            var stored = (await host.GetTaskAsync(task.Id))!;
            Assert.Equal(TaskState.Interrupted, stored.State);
            Assert.Equal("interrupted by shutdown", stored.Error);
            Assert.NotEqual(DateTimeOffset.MinValue, stored.FinishTime);
        }

        Assert.Equal(TaskState.Completed, (await host.GetTaskAsync(completed.Id))!.State);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(pending.Id))!.State);
    }

    [Fact]
    public async Task Shutdown_RunningTaskWithoutMapping_SendsOneStopWhileStillRunning()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(Task(TaskState.Running, "proplet-1"));

        await host.Service<TaskInterruptions>().ShutdownAsync(CancellationToken.None);

        var stop = await probe.WaitForAsync(TopicSuffixes.ManagerStop);
        Assert.Equal($$"""{"id":"{{task.Id}}","proplet_id":"proplet-1"}""", stop.ToJsonString());
        var stored = (await host.GetTaskAsync(task.Id))!;
        Assert.True(probe.ArrivalTimes(TopicSuffixes.ManagerStop).Single() < stored.FinishTime, "the stop must precede the Interrupted mark");
        Assert.Equal(TaskState.Interrupted, stored.State);
    }

    [Fact]
    public async Task Shutdown_ResultArrivingInTime_KeepsTheTaskCompleted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(Task(TaskState.Running, "proplet-1"));
        var shutdown = host.Service<TaskInterruptions>().ShutdownAsync(CancellationToken.None);
        await probe.WaitForAsync(TopicSuffixes.ManagerStop);

        await probe.PublishAsync(TopicSuffixes.PropletResults, $$"""{"task_id":"{{task.Id}}","proplet_id":"proplet-1","results":"done","error":null}""");

        await shutdown;
        await Eventually.TrueAsync(async () => (await host.GetTaskAsync(task.Id))!.State == TaskState.Completed, "the result to win");
    }

    [Fact]
    public async Task Shutdown_NewStarts_Return503()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"late"}""");

        await host.Service<TaskInterruptions>().ShutdownAsync(CancellationToken.None);

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("shutting down", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStop_InterruptsRunningTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var running = await host.AddTaskAsync(Task(TaskState.Running));

        await host.StopAsync();

        Assert.Equal(TaskState.Interrupted, (await host.GetTaskAsync(running.Id))!.State);
    }
}
