using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Tasks;

public sealed class TaskDispatchTests(ITestOutputHelper output)
{
    private const string Start = TopicSuffixes.ManagerStart;
    private const string Stop = TopicSuffixes.ManagerStop;

    [Fact]
    public async Task Start_AutoPlaced_PublishesTheStartPayloadTheGoManagerSends()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"add","file":"AGFzbQEAAAA=","inputs":["10","20"],"priority":80,"metadata":{"env":"prod"},"kind":"standard","mode":"infer"}""");
        var id = created["id"]!.GetValue<string>();

        var response = await host.Http.PostAsync($"tasks/{id}/start", null);

        Assert.Equal("""{"started":true}""", (await response.ReadJsonAsync()).ToJsonString());
        var start = await probe.WaitForAsync(Start);
        var golden = JsonNode.Parse($$"""
            {"id":"{{id}}","name":"add","state":0,"file":"AGFzbQEAAAA=","inputs":["10","20"],"cli_args":null,
             "daemon":false,"encrypted":false,"latent":false,"broadcast":false,"proplet_id":"{{proplet.Id}}"}
            """)!.AsObject();
        AssertSameJson(golden, start);
    }

    [Fact]
    public async Task Start_OptionalFields_AreSentWhenSet()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""
            {"name":"svc","image_url":"registry.local/svc:1","cli_args":["--port","8080"],"env":{"GREETING":"hola"},"daemon":true,
             "encrypted":true,"kbs_resource_path":"default/key/1","hal_storage_path":"/data/hal","latent":true,
             "monitoring_profile":{"enabled":true,"interval":5,"collect_cpu":true,"collect_memory":true,"collect_disk_io":false,
               "collect_threads":false,"collect_file_descriptors":false,"export_to_mqtt":true,"retain_history":true,"history_size":10}}
            """);

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();

        var start = await probe.WaitForAsync(Start);
        Assert.Equal("registry.local/svc:1", start["image_url"]!.GetValue<string>());
        Assert.Equal(["--port", "8080"], start["cli_args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("hola", start["env"]!["GREETING"]!.GetValue<string>());
        Assert.True(start["daemon"]!.GetValue<bool>() && start["encrypted"]!.GetValue<bool>() && start["latent"]!.GetValue<bool>());
        Assert.Equal("default/key/1", start["kbs_resource_path"]!.GetValue<string>());
        Assert.Equal("/data/hal", start["hal_storage_path"]!.GetValue<string>());
        Assert.Equal(5, start["monitoring_profile"]!["interval"]!.GetValue<int>());
        Assert.False(start.ContainsKey("file"));
        Assert.False(start.ContainsKey("inputs"));
    }

    [Fact]
    public async Task Start_AutoPlaced_MarksRunningMapsTheTaskAndCountsIt()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        var id = created["id"]!.GetValue<string>();

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        var task = await (await host.Http.GetAsync($"tasks/{id}")).ReadJsonAsync();
        Assert.Equal((int)TaskState.Running, task["state"]!.GetValue<int>());
        Assert.Equal(proplet.Id, task["proplet_id"]!.GetValue<string>());
        Assert.NotEqual("0001-01-01T00:00:00Z", task["start_time"]!.GetValue<string>());
        Assert.Equal(proplet.Id, await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(1UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Fact]
    public async Task Start_TwoAliveProplets_FirstPickIsTheSecondInOrder()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync("00000000-0000-4000-8000-000000000001", TimeSpan.Zero);
        await host.AddPropletAsync("00000000-0000-4000-8000-000000000002", TimeSpan.Zero);
        var first = await host.Http.CreateTaskAsync("""{"name":"a"}""");
        var second = await host.Http.CreateTaskAsync("""{"name":"b"}""");

        await host.Http.PostAsync($"tasks/{first["id"]}/start", null);
        await host.Http.PostAsync($"tasks/{second["id"]}/start", null);

        Assert.Equal("00000000-0000-4000-8000-000000000002", (await host.GetTaskAsync(first["id"]!.GetValue<string>()))!.PropletId);
        Assert.Equal("00000000-0000-4000-8000-000000000001", (await host.GetTaskAsync(second["id"]!.GetValue<string>()))!.PropletId);
    }

    [Fact]
    public async Task Start_NoActiveProplet_Returns409AndLeavesTheTaskAlone()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.FromMinutes(5));
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal("no active proplets available", error);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(created["id"]!.GetValue<string>()))!.State);
    }

    [Fact]
    public async Task Start_PinnedToUnknownProplet_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync($$"""{"name":"t","proplet_id":"{{Guid.NewGuid()}}"}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_PinnedToDeadProplet_Returns409NotAlive()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var dead = await host.AddPropletAsync(age: TimeSpan.FromMinutes(1));
        var created = await host.Http.CreateTaskAsync($$"""{"name":"t","proplet_id":"{{dead.Id}}"}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal($"specified proplet {dead.Id} is not alive", error);
    }

    [Fact]
    public async Task Start_PinnedToAliveProplet_SkipsTheScheduler()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync("00000000-0000-4000-8000-000000000001", TimeSpan.Zero);
        await host.AddPropletAsync("00000000-0000-4000-8000-000000000002", TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t","proplet_id":"00000000-0000-4000-8000-000000000001"}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();

        Assert.Equal("00000000-0000-4000-8000-000000000001", (await probe.WaitForAsync(Start))["proplet_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Start_Broadcast_PublishesWithoutPropletIdAndTouchesNoProplet()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"everywhere","broadcast":true}""");
        var id = created["id"]!.GetValue<string>();

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        var start = await probe.WaitForAsync(Start);
        Assert.True(start["broadcast"]!.GetValue<bool>());
        Assert.False(start.ContainsKey("proplet_id"));
        Assert.Null(await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(id))!.State);
    }

    [Fact]
    public async Task Start_Broadcast_WorksWithoutAnyProplet()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"everywhere","broadcast":true}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();
    }

    [Fact]
    public async Task Start_AgainAfterCompletion_ReRunsAndKeepsOneSlot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        var id = created["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
        await probe.PublishAsync(TopicSuffixes.PropletResults, $$"""{"task_id":"{{id}}","proplet_id":"{{proplet.Id}}","results":"1","error":null}""");
        await WaitForStateAsync(host, id, TaskState.Completed);

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        var task = (await host.GetTaskAsync(id))!;
        Assert.Equal(TaskState.Running, task.State);
        Assert.Null(task.Error);
        Assert.Equal(proplet.Id, await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(1UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Fact]
    public async Task Start_WhileRunningOnALiveProplet_Returns409AndKeepsOneSlot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        await host.Http.PostAsync($"tasks/{created["id"]}/start", null);
        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("already running", error, StringComparison.Ordinal);
        Assert.Equal(1UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Fact]
    public async Task Start_WhileRunningOnADeadProplet_MovesTheTaskAndItsSlot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var dying = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync($$"""{"name":"t","proplet_id":"{{dying.Id}}"}""");
        var id = created["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
        await host.Store.Proplets.MarkOfflineAsync(dying.Id, CancellationToken.None);
        var task = (await host.GetTaskAsync(id))!;
        await host.Store.Tasks.UpdateAsync(task with { PropletId = null }, CancellationToken.None);
        var healthy = await host.AddPropletAsync(age: TimeSpan.Zero);

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        Assert.Equal(healthy.Id, await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(0UL, (await host.GetPropletAsync(dying.Id))!.TaskCount);
        Assert.Equal(1UL, (await host.GetPropletAsync(healthy.Id))!.TaskCount);
    }

    [Fact]
    public async Task Start_ParentNotFinished_Returns422()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var parent = await host.Http.CreateTaskAsync("""{"name":"parent","workflow_id":"wf"}""");
        var child = await host.Http.CreateTaskAsync($$"""{"name":"child","workflow_id":"wf","depends_on":["{{parent["id"]}}"]}""");

        var error = await (await host.Http.PostAsync($"tasks/{child["id"]}/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("unmet dependencies", error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(child["id"]!.GetValue<string>()))!.State);
    }

    [Fact]
    public async Task Start_FinishedParents_SendsTheResultsOfCompletedOnes()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var completed = await host.AddTaskAsync(Task("completed", TaskState.Completed, JsonDocument.Parse("\"42\"").RootElement));
        var failed = await host.AddTaskAsync(Task("failed", TaskState.Failed, JsonDocument.Parse("\"partial\"").RootElement));
        var empty = await host.AddTaskAsync(Task("empty", TaskState.Completed, null));
        var child = await host.AddTaskAsync(Task("child", TaskState.Pending, null) with { DependsOn = [completed.Id, failed.Id, empty.Id] });

        await (await host.Http.PostAsync($"tasks/{child.Id}/start", null)).ReadJsonAsync();

        var parentResults = (await probe.WaitForAsync(Start))["parent_results"]!.AsObject();
        Assert.Equal([completed.Id], parentResults.Select(p => p.Key));
        Assert.Equal("42", parentResults[completed.Id]!.GetValue<string>());
    }

    [Theory]
    [InlineData("not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de", HttpStatusCode.NotFound)]
    public async Task StartAndStop_BadOrUnknownId_ReturnError(string id, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(expected);
        await (await host.Http.PostAsync($"tasks/{id}/stop", null)).ReadErrorAsync(expected);
    }

    [Fact]
    public async Task Stop_RunningTask_SendsStopReleasesTheProletAndKeepsTheState()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        var id = created["id"]!.GetValue<string>();
        await host.Http.PostAsync($"tasks/{id}/start", null);

        var response = await host.Http.PostAsync($"tasks/{id}/stop", null);

        Assert.Equal("""{"stopped":true}""", (await response.ReadJsonAsync()).ToJsonString());
        AssertSameJson(JsonNode.Parse($$"""{"id":"{{id}}","broadcast":false,"proplet_id":"{{proplet.Id}}"}""")!.AsObject(), await probe.WaitForAsync(Stop));
        Assert.Null(await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(id))!.State);
    }

    [Fact]
    public async Task Stop_BroadcastTask_SendsABroadcastStop()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var created = await host.Http.CreateTaskAsync("""{"name":"everywhere","broadcast":true}""");
        var id = created["id"]!.GetValue<string>();
        await host.Http.PostAsync($"tasks/{id}/start", null);

        await (await host.Http.PostAsync($"tasks/{id}/stop", null)).ReadJsonAsync();

        AssertSameJson(JsonNode.Parse($$"""{"id":"{{id}}","broadcast":true}""")!.AsObject(), await probe.WaitForAsync(Stop));
    }

    [Fact]
    public async Task Stop_TaskNeverStarted_Returns409NotRunning()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/stop", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("is not running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_AfterTheResult_DoesNotReleaseTheSlotTwice()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var first = await host.Http.CreateTaskAsync("""{"name":"daemon","daemon":true}""");
        var second = await host.Http.CreateTaskAsync("""{"name":"other"}""");
        await host.Http.PostAsync($"tasks/{first["id"]}/start", null);
        await host.Http.PostAsync($"tasks/{second["id"]}/start", null);
        await probe.PublishAsync(TopicSuffixes.PropletResults, $$"""{"task_id":"{{first["id"]}}","proplet_id":"{{proplet.Id}}","results":"started","error":null}""");
        await WaitForStateAsync(host, first["id"]!.GetValue<string>(), TaskState.Completed);

        await (await host.Http.PostAsync($"tasks/{first["id"]}/stop", null)).ReadJsonAsync();

        Assert.Equal(1UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    internal static void AssertSameJson(JsonObject expected, JsonObject actual)
    {
        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), actual.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (key, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[key]), $"'{key}': expected {value?.ToJsonString() ?? "null"}, got {actual[key]?.ToJsonString() ?? "null"}");
        }
    }

    internal static Task WaitForStateAsync(ManagerTestHost host, string id, TaskState state) =>
        Propeller.Testing.Eventually.TrueAsync(async () => (await host.GetTaskAsync(id))?.State == state, $"task {id} to be {state}");

    private static PropellerTask Task(string name, TaskState state, JsonElement? results) =>
        new() { Id = Guid.NewGuid().ToString(), Name = name, State = state, Results = results, WorkflowId = "wf" };
}
