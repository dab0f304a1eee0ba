using System.Globalization;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Manager.Tests.Tasks;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Messaging;

/// <summary>
/// Results a proplet sends again for a restarted manager (<c>replayed: true</c>) complete only a run this manager
/// still sees Running on that proplet, and only when they came after that run started.
/// </summary>
public sealed class ReplayedResultTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Started = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Replayed_ResultOfTaskStillRunningOnThatProplet_CompletesIt()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await RunningOnAsync(host, "p1");

        await probe.PublishAsync(TopicSuffixes.PropletResults, Replayed(task.Id, "p1", "42", Started.AddSeconds(3)));

        await TaskDispatchTests.WaitForStateAsync(host, task.Id, TaskState.Completed);
        Assert.Equal("42", (await host.GetTaskAsync(task.Id))!.Results!.Value.GetString());
    }

    [Theory]
    [InlineData("other-proplet", 3)]
    [InlineData("p1", -3)]
    public async Task Replayed_FromAnotherPropletOrAnEarlierRun_IsIgnored(string propletId, int secondsAfterStart)
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await RunningOnAsync(host, "p1");

        await probe.PublishAsync(TopicSuffixes.PropletResults, Replayed(task.Id, propletId, "42", Started.AddSeconds(secondsAfterStart)));

        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.ReplayedResultIgnored), "the replay to be ignored");
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(task.Id))!.State);
    }

    [Fact]
    public async Task Replayed_ResultOfAFinishedTask_DoesNotOverwriteIt()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var task = await host.AddTaskAsync(new PropellerTask
        {
            Id = Guid.NewGuid().ToString(),
            Name = "t",
            State = TaskState.Completed,
            PropletId = "p1",
            StartTime = Started,
            Results = System.Text.Json.JsonSerializer.SerializeToElement("first", Contracts.Serialization.PropellerJsonContext.Default.String),
        });

        await probe.PublishAsync(TopicSuffixes.PropletResults, Replayed(task.Id, "p1", "stale", Started.AddSeconds(3)));

        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.ReplayedResultIgnored), "the replay to be ignored");
        Assert.Equal("first", (await host.GetTaskAsync(task.Id))!.Results!.Value.GetString());
    }

    private static Task<PropellerTask> RunningOnAsync(ManagerTestHost host, string propletId) =>
        host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "t", State = TaskState.Running, PropletId = propletId, StartTime = Started });

    private static string Replayed(string taskId, string propletId, string results, DateTimeOffset finishedAt) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"task_id":"{{taskId}}","proplet_id":"{{propletId}}","results":"{{results}}","error":null,"replayed":true,"finished_at":"{{finishedAt:O}}"}""");
}
