using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Plugins;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Acceptance;

/// <summary>
/// Rows of manager-reference §11 (shutdown, status strings, plugin middleware) that no feature-folder test covered,
/// asserted with our DECISIONS codes (403 for plugin refusals).
/// </summary>
public sealed class ReferenceBehaviourTests(ITestOutputHelper output)
{
    private static PropellerTask Running(string? propletId = null) =>
        new() { Id = Guid.NewGuid().ToString(), Name = "running", State = TaskState.Running, PropletId = propletId };

    [Fact]
    public async Task InterruptedState_IsSixOnTheWireAndPrintsItsName()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var task = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "cut", State = TaskState.Interrupted });

        var json = await (await host.Http.GetAsync($"tasks/{task.Id}")).ReadJsonAsync();

        Assert.Equal(6, json["state"]!.GetValue<int>());
        Assert.Equal("Interrupted", TaskState.Interrupted.ToString());
    }

    [Fact]
    public async Task Shutdown_MappingWinsOverTheTasksPropletAndATaskWithNeitherGetsNoStop()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync();
        var mapped = await host.AddTaskAsync(Running("stale-proplet"));
        await host.Store.TaskProplets.UpsertAsync(mapped.Id, proplet.Id, CancellationToken.None);
        var unplaced = await host.AddTaskAsync(Running());

        Assert.Equal(2, await host.Service<TaskInterruptions>().ShutdownAsync(CancellationToken.None));

        // A marker sent after shutdown returned arrives after every stop the manager sent.
        await probe.PublishAsync(TopicSuffixes.ManagerStop, """{"id":"marker"}""");
        await probe.WaitForAsync(TopicSuffixes.ManagerStop, m => m["id"]?.GetValue<string>() == "marker");
        var stops = probe.Messages(TopicSuffixes.ManagerStop).Where(m => m["id"]?.GetValue<string>() != "marker").ToList();
        var stop = Assert.Single(stops);
        Assert.Equal($$"""{"id":"{{mapped.Id}}","proplet_id":"{{proplet.Id}}"}""", stop.ToJsonString());
        Assert.Equal(TaskState.Interrupted, (await host.GetTaskAsync(unplaced.Id))!.State);
        Assert.Equal(TaskState.Interrupted, (await host.GetTaskAsync(mapped.Id))!.State);
    }

    [Fact]
    public async Task Create_EnrichPluginSettingPriorityAndImage_ReachTheStoredTask()
    {
        var wasm = PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string>
        {
            ["enrich_task"] = """{"env":{"REGION":"eu"},"priority":99,"image_url":"oci://enriched/app:1"}""",
        }));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = PluginWat.Directory(("enrich.wasm", wasm)) });

        var created = await host.Http.CreateTaskAsync("""{"name":"t","priority":10,"image_url":"oci://own/app:1"}""");

        var stored = (await host.GetTaskAsync(created["id"]!.GetValue<string>()))!;
        Assert.Equal(99, stored.Priority);
        Assert.Equal("oci://enriched/app:1", stored.ImageUrl);
        Assert.Equal("eu", stored.Env!["REGION"]);
    }

    [Fact]
    public async Task Create_AuthorizeHookTraps_IsRefusedAndStoresNothing()
    {
        var wasm = PluginWat.Compile(PluginWat.WithHook("authorize", "(unreachable)"));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = PluginWat.Directory(("trap.wasm", wasm)) });

        var error = await (await host.Http.PostJsonAsync("tasks", """{"name":"t"}""")).ReadErrorAsync(HttpStatusCode.Forbidden);

        Assert.StartsWith("plugin trap authorize: ", error, StringComparison.Ordinal);
        var page = await (await host.Http.GetAsync("tasks")).ReadJsonAsync();
        Assert.Equal(0, page["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task DeleteAndStop_RefusedByPlugin_ErrorIsExactlyItsReasonAndTheTaskStays()
    {
        var wasm = PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string> { ["authorize"] = """{"allow":false,"reason":"no"}""" }));
        var task = Running("p1");
        await using var host = await ManagerTestHost.StartAsync(
            output,
            o => o with { PluginDir = PluginWat.Directory(("deny.wasm", wasm)) },
            seed: store => store.Tasks.CreateAsync(task, CancellationToken.None));

        Assert.Equal("no", await (await host.Http.DeleteAsync($"tasks/{task.Id}")).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal("no", await (await host.Http.PostAsync($"tasks/{task.Id}/stop", null)).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(task.Id))!.State);
    }

    [Fact]
    public async Task Start_Allowed_NotifiesOnTaskStartInTheBackground()
    {
        // The hook traps, so its call leaves a warning naming the task: proof that it was called after the start.
        var wasm = PluginWat.Compile(PluginWat.WithHook("on_task_start", "(unreachable)"));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = PluginWat.Directory(("notify.wasm", wasm)) });
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","image_url":"oci://x"}"""))["id"]!.GetValue<string>();

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        await Eventually.TrueAsync(
            () => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.PluginNotificationFailed && e.Message.Contains("on_task_start", StringComparison.Ordinal) && e.Message.Contains(id, StringComparison.Ordinal)),
            "the on_task_start notification");
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(id))!.State);
    }

    [Fact]
    public async Task ListJobs_RecordWithoutTasks_IsListedAsPendingWithNoTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var now = DateTimeOffset.UtcNow;
        await host.Store.Jobs.CreateAsync(new Manager.Jobs.JobRecord { Id = "empty-job", Name = "empty", CreatedAt = now, UpdatedAt = now }, CancellationToken.None);

        var pending = await (await host.Http.GetAsync("jobs?status=pending")).ReadJsonAsync();
        var running = await (await host.Http.GetAsync("jobs?status=running")).ReadJsonAsync();

        var job = Assert.Single(pending["jobs"]!.AsArray())!;
        Assert.Equal("empty-job", job["job_id"]!.GetValue<string>());
        Assert.Equal((int)TaskState.Pending, job["state"]!.GetValue<int>());
        Assert.Empty(job["tasks"]!.AsArray());
        Assert.Equal(0, running["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task StartTask_ParentMissing_Is422NamingIt()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var child = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "child", WorkflowId = "wf", DependsOn = ["gone-parent"] });

        var error = await (await host.Http.PostAsync($"tasks/{child.Id}/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("gone-parent", error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(child.Id))!.State);
    }

    [Fact]
    public async Task StartTask_InterruptedParent_CountsAsFinished()
    {
        // Deviation from the original's start guard (Completed, Failed or Skipped only): Interrupted is terminal
        // everywhere in our DAG rules, so a parent cut by a shutdown does not block its child for ever.
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var parent = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "parent", WorkflowId = "wf", State = TaskState.Interrupted });
        var child = await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "child", WorkflowId = "wf", DependsOn = [parent.Id] });

        await (await host.Http.PostAsync($"tasks/{child.Id}/start", null)).ReadJsonAsync();

        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(child.Id))!.State);
    }
}
