using System.Net;
using System.Net.Http.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Monitoring;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>Task metrics from a running proplet reach the manager and its REST API.</summary>
public sealed class TaskMetricsTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task RunningLoop_TaskMetrics_AreStoredByTheManager()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "loop",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("loop", "loop.wat")),
            MonitoringProfile = new MonitoringProfile { Interval = 1 },
        });
        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        var page = await Eventually.ValueAsync(
            async () => await env.Http.GetFromJsonAsync($"tasks/{task.Id}/metrics?offset=0&limit=100", Json.TaskMetricsPage),
            p => p!.Total >= 2,
            "two task metrics samples stored by the manager");
        using var stop = await env.Http.PostAsync($"tasks/{task.Id}/stop", null);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await env.WaitForTerminalAsync(task.Id);
        await Eventually.TrueAsync(() => env.PropletService<TaskMonitor>(0).ActiveCount == 0, "monitoring to stop with the task");

        Assert.All(page!.Metrics, sample =>
        {
            Assert.Equal(task.Id, sample.TaskId);
            Assert.Equal(env.Stack.PropletIds[0], sample.PropletId);
            Assert.True(sample.Metrics.MemoryBytes > 0);
            Assert.NotNull(sample.Aggregated);
            Assert.True(sample.Aggregated.SampleCount >= 1);
        });
        Assert.Contains(page.Metrics, sample => sample.Aggregated!.SampleCount >= 2);
    }
}
