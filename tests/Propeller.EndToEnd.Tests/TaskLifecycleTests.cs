using System.Net;
using System.Net.Http.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>Tasks submitted over REST run on proplets through the real embedded broker.</summary>
public sealed class TaskLifecycleTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task Start_InlineAddWasm_CompletesWith30AndReleasesTheProplet()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["10", "20"],
        });

        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var done = await env.WaitForTerminalAsync(task.Id);

        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal("30", done.Results!.Value.GetString());
        Assert.NotEqual(DateTimeOffset.MinValue, done.FinishTime);
        Assert.Contains(done.PropletId, env.Stack.PropletIds);
        var proplet = await env.GetPropletAsync(done.PropletId!);
        Assert.Equal(0UL, proplet.TaskCount);
        var results = await env.Http.GetFromJsonAsync($"tasks/{task.Id}/results", Json.TaskResultsResponse);
        Assert.Equal("30", results!.Results!.Value.GetString());
    }

    [Fact]
    public async Task Start_SameTaskTwice_RunsAgain()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["1", "2"],
        });

        for (var run = 0; run < 2; run++)
        {
            using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            var done = await env.WaitForTaskAsync(task.Id, t => t.State == TaskState.Completed && t.FinishTime > t.StartTime, "re-run to complete");
            Assert.Equal("3", done.Results!.Value.GetString());
        }
    }

    [Fact]
    public async Task Start_TargetedAtDeadProplet_IsRefusedWithClearError()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var dead = env.Stack.PropletIds[1];
        await env.KillPropletConnectionAsync(1);
        await Eventually.TrueAsync(async () => !(await env.GetPropletAsync(dead)).Alive, "the killed proplet to be listed as dead");
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["10", "20"],
            PropletId = dead,
        });

        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);

        Assert.True((int)start.StatusCode is >= 400 and < 500, $"expected a 4xx, got {(int)start.StatusCode}");
        var error = await start.Content.ReadFromJsonAsync(Json.ErrorResponse);
        Assert.Contains("not alive", error!.Error, StringComparison.Ordinal);
        Assert.Contains(dead, error.Error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, (await env.GetTaskAsync(task.Id)).State);
    }

    [Fact]
    public async Task Start_Broadcast_RunsOnEveryProplet()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 3);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["2", "40"],
            Broadcast = true,
        });

        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        for (var i = 0; i < 3; i++)
        {
            var index = i;
            await Eventually.TrueAsync(() => env.PropletMetrics(index).TasksCompleted == 1, $"proplet {index} to complete the broadcast task");
        }

        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal("42", done.Results!.Value.GetString());
    }

    [Fact]
    public async Task Stop_InfiniteLoop_FreesTheGuestThreadWithinOneSecond()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "loop",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("loop", "loop.wat")),
        });
        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var runtime = env.Runtime(0);
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the guest to be running");

        using var stop = await env.Http.PostAsync($"tasks/{task.Id}/stop", null);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        // Watched from this thread, not through awaited polling a loaded thread pool may run late.
        var freed = SpinWait.SpinUntil(() => runtime.ActiveExecutions == 0, TimeSpan.FromSeconds(1));

        Assert.True(freed, "the guest was still running 1 s after the stop answered");
        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(TaskState.Failed, done.State);
        Assert.Equal("Task was cancelled or panicked", done.Error);
    }

    [Fact]
    public async Task KilledPropletConnection_LastWillMarksItDeadAtOnce()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var victim = env.Stack.PropletIds[0];
        Assert.True((await env.GetPropletAsync(victim)).Alive);

        await env.KillPropletConnectionAsync(0);

        // Heartbeats come every second here, and the liveness window is 10 s: only the Last Will explains a quick flip.
        await Eventually.TrueAsync(async () => !(await env.GetPropletAsync(victim)).Alive, "the Last Will to mark the proplet dead", TimeSpan.FromSeconds(5));
        var page = await env.Http.GetFromJsonAsync("proplets?status=active", Json.PropletPage);
        Assert.DoesNotContain(page!.Proplets, p => p.Id == victim);
    }
}
