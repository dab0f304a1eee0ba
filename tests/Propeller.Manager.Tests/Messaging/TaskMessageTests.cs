using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Manager.Tests.Tasks;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Messaging;

public sealed class TaskMessageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Result_RustSuccess_CompletesTheTaskAndReleasesTheSlot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"add"}""");
        var id = created["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(id, proplet.Id, "30"));

        await TaskDispatchTests.WaitForStateAsync(host, id, TaskState.Completed);
        var task = (await host.GetTaskAsync(id))!;
        Assert.Equal("30", task.Results!.Value.GetString());
        Assert.Null(task.Error);
        Assert.NotEqual(DateTimeOffset.MinValue, task.FinishTime);
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
        Assert.Equal(proplet.Id, await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        var results = await (await host.Http.GetAsync($"tasks/{id}/results")).ReadJsonAsync();
        Assert.Equal("""{"results":"30"}""", results.ToJsonString());
    }

    [Fact]
    public async Task Result_Repeated_ReleasesTheSlotOnlyOnce()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var first = (await host.Http.CreateTaskAsync("""{"name":"a"}"""))["id"]!.GetValue<string>();
        var second = (await host.Http.CreateTaskAsync("""{"name":"b"}"""))["id"]!.GetValue<string>();
        await host.Http.PostAsync($"tasks/{first}/start", null);
        await host.Http.PostAsync($"tasks/{second}/start", null);

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(first, proplet.Id, "1"));
        await TaskDispatchTests.WaitForStateAsync(host, first, TaskState.Completed);
        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(first, proplet.Id, "1"));
        await Eventually.TrueAsync(() => host.Logs.Entries.Count(e => e.EventId.Id == EventIds.ResultRecorded) == 2, "the second result");

        Assert.Equal(1UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Fact]
    public async Task Result_RustFailure_FailsTheTaskWithTheError()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "t", State = TaskState.Running });

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Failure(task.Id, "p1", "Timeout waiting for binary chunks"));

        await TaskDispatchTests.WaitForStateAsync(host, task.Id, TaskState.Failed);
        Assert.Equal("Timeout waiting for binary chunks", (await host.GetTaskAsync(task.Id))!.Error);
    }

    [Fact]
    public async Task Result_FederatedLearningShape_StoresTheObjectVerbatim()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "fl", State = TaskState.Running });

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.FederatedResult(task.Id, "p1"));

        await TaskDispatchTests.WaitForStateAsync(host, task.Id, TaskState.Completed);
        var results = await (await host.Http.GetAsync($"tasks/{task.Id}/results")).ReadJsonAsync();
        Assert.Equal("r1", results["results"]!["round_id"]!.GetValue<string>());
        Assert.Equal("f32-delta", results["results"]!["format"]!.GetValue<string>());
    }

    [Fact]
    public async Task Result_BroadcastTask_LastWriterWins()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "b", Broadcast = true, State = TaskState.Running });

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(task.Id, "p1", "one"));
        await TaskDispatchTests.WaitForStateAsync(host, task.Id, TaskState.Completed);
        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(task.Id, "p2", "two"));

        await Eventually.TrueAsync(async () => (await host.GetTaskAsync(task.Id))!.Results?.GetString() == "two", "the second result");
    }

    [Fact]
    public async Task Result_UnknownTask_IsAWarningWithThePayload()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = Guid.NewGuid().ToString();

        await probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(id, "p1", "lost"));

        var warning = await Eventually.ValueAsync(
            () => Task.FromResult(host.Logs.Entries.FirstOrDefault(e => e.EventId.Id == EventIds.ResultForUnknownTask)), _ => true, "a warning");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(id, warning.Message, StringComparison.Ordinal);
        Assert.Contains("lost", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TaskMetrics_RustPayload_IsStoredWithItsTimestamp(bool aggregated)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "t", State = TaskState.Running });

        await probe.PublishAsync(TopicSuffixes.PropletTaskMetrics, RustPayloads.TaskMetrics(task.Id, "p1", aggregated));

        var page = await Eventually.ValueAsync<Page<TaskMetricsMessage>>(
            async () => await host.Store.Metrics.ListTaskMetricsAsync(task.Id, 0, 10, CancellationToken.None), p => p.Total == 1, "a stored sample");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(RustPayloads.Seconds).AddTicks(RustPayloads.Nanos / 100), page.Items[0].Timestamp);
        Assert.Equal(1048576UL, page.Items[0].Metrics.MemoryBytes);
        Assert.Equal(aggregated, page.Items[0].Aggregated is not null);
        var api = await (await host.Http.GetAsync($"tasks/{task.Id}/metrics")).ReadJsonAsync();
        Assert.Equal(1, api["total"]!.GetValue<int>());
        Assert.Equal("p1", api["metrics"]![0]!["proplet_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task TaskMetrics_Rfc3339Timestamp_IsAccepted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "t" });

        await probe.PublishAsync(TopicSuffixes.PropletTaskMetrics, $$"""
            {"task_id":"{{task.Id}}","proplet_id":"p1","timestamp":"2025-01-01T00:00:00.123456789Z","metrics":{"cpu_percent":1.0},"aggregated":null}
            """);

        var page = await Eventually.ValueAsync<Page<TaskMetricsMessage>>(
            async () => await host.Store.Metrics.ListTaskMetricsAsync(task.Id, 0, 10, CancellationToken.None), p => p.Total == 1, "a stored sample");
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), page.Items[0].Timestamp);
    }

    [Fact]
    public async Task TaskMetrics_UnknownTask_IsAWarning()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();

        await probe.PublishAsync(TopicSuffixes.PropletTaskMetrics, RustPayloads.TaskMetrics(Guid.NewGuid().ToString(), "p1"));

        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.MetricsForUnknownTask && e.Level == LogLevel.Warning), "a warning");
    }
}
