using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Workflows;

/// <summary>Starting workflows and the readiness passes that follow each result (a probe plays the proplet).</summary>
public sealed class WorkflowExecutionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_Diamond_StartsOnlyTheRoot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync(GraphHttp.Diamond);
        var ids = GraphHttp.Ids(workflow);

        var started = await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadJsonAsync();

        Assert.Equal([ids[0]], started["started"]!.AsArray().Select(s => s!.GetValue<string>()));
        await probe.WaitForStartAsync(ids[0]);
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(ids[0]))!.State);
        foreach (var waiting in ids[1..])
        {
            Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(waiting))!.State);
        }

        var view = await (await host.Http.GetAsync($"workflows/{workflow["workflow_id"]}")).ReadJsonAsync();
        Assert.Equal((int)TaskState.Running, view["state"]!.GetValue<int>());
    }

    [Fact]
    public async Task Start_NoRootWaiting_IsConflict()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync("""[{"name":"only"}]""");
        await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadJsonAsync();

        var error = await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("no root task waiting", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownWorkflow_Is404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.PostAsync("workflows/nothing-here/start", null)).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_WithoutProplets_IsConflictAndTheRootStaysPending()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var workflow = await host.Http.CreateWorkflowAsync("""[{"name":"only"}]""");

        var error = await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("no active proplets", error, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(GraphHttp.Ids(workflow)[0]))!.State);
    }

    [Fact]
    public async Task Start_WhileShuttingDown_Is503()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync("""[{"name":"only"}]""");
        host.Service<ShutdownGate>().Close();

        var error = await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadErrorAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Contains("shutting down", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_Diamond_StartChildrenWithTheirParentsResults()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync(GraphHttp.Diamond);
        var (a, b, c, d) = Split(GraphHttp.Ids(workflow));
        await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(a);

        await probe.SucceedAsync(a, "from-a");

        var startB = await probe.WaitForStartAsync(b);
        var startC = await probe.WaitForStartAsync(c);
        Assert.Equal("from-a", startB["parent_results"]![a]!.GetValue<string>());
        Assert.Equal("from-a", startC["parent_results"]![a]!.GetValue<string>());
        Assert.Equal(0, probe.StartsOf(d));

        await probe.SucceedAsync(b, "from-b");
        await host.WaitForStateAsync(b, TaskState.Completed);
        Assert.Equal(0, probe.StartsOf(d));
        await probe.SucceedAsync(c, "from-c");

        var startD = await probe.WaitForStartAsync(d);
        var parents = startD["parent_results"]!.AsObject();
        Assert.Equal(2, parents.Count);
        Assert.Equal("from-b", parents[b]!.GetValue<string>());
        Assert.Equal("from-c", parents[c]!.GetValue<string>());

        await probe.SucceedAsync(d, "done");
        await Eventually.TrueAsync(
            async () => (await (await host.Http.GetAsync($"workflows/{workflow["workflow_id"]}")).ReadJsonAsync())["state"]!.GetValue<int>() == (int)TaskState.Completed,
            "the workflow to be Completed");
        Assert.Equal(1, probe.StartsOf(d));
    }

    [Fact]
    public async Task Results_RootFails_FailureHandlerRunsAndSkipsCascadeInOnePass()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync("""
            [{"id":"root","name":"root"},
             {"id":"next","name":"next","depends_on":["root"]},
             {"id":"after","name":"after","depends_on":["next"]},
             {"id":"last","name":"last","depends_on":["after"],"run_if":"success"},
             {"id":"handler","name":"handler","depends_on":["root"],"run_if":"failure"}]
            """);
        var ids = GraphHttp.Ids(workflow);
        await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(ids[0]);

        await probe.FailAsync(ids[0], "boom");

        await probe.WaitForStartAsync(ids[4]);
        foreach (var skipped in ids[1..4])
        {
            await host.WaitForStateAsync(skipped, TaskState.Skipped);
        }

        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(ids[4]))!.State);
        Assert.All(ids[1..4], id => Assert.Equal(0, probe.StartsOf(id)));
        Assert.Contains(host.Logs.Entries, e => e.EventId.Name == "WorkflowTaskSkipped");
    }

    [Fact]
    public async Task Results_ParentSucceeds_FailureHandlerIsSkipped()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync("""
            [{"id":"root","name":"root"},{"id":"handler","name":"handler","depends_on":["root"],"run_if":"failure"}]
            """);
        var ids = GraphHttp.Ids(workflow);
        await (await host.Http.PostAsync($"workflows/{workflow["workflow_id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(ids[0]);

        await probe.SucceedAsync(ids[0], "fine");

        await host.WaitForStateAsync(ids[1], TaskState.Skipped);
        Assert.Equal(0, probe.StartsOf(ids[1]));
        var view = await (await host.Http.GetAsync($"workflows/{workflow["workflow_id"]}")).ReadJsonAsync();
        Assert.Equal((int)TaskState.Completed, view["state"]!.GetValue<int>());
    }

    [Fact]
    public async Task StartTask_ChildWithUnmetDependencies_Is422AndAPassStartsTheRoot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync(GraphHttp.Diamond);
        var ids = GraphHttp.Ids(workflow);

        var error = await (await host.Http.PostAsync($"tasks/{ids[3]}/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains($"task {ids[3]} has unmet dependencies", error, StringComparison.Ordinal);
        await probe.WaitForStartAsync(ids[0]);
        Assert.NotEqual(TaskState.Running, (await host.GetTaskAsync(ids[3]))!.State);
        Assert.Equal(0, probe.StartsOf(ids[1]));
    }

    [Fact]
    public async Task StartTask_ChildWithoutProplets_StaysNotRunning()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var workflow = await host.Http.CreateWorkflowAsync(GraphHttp.Diamond);
        var ids = GraphHttp.Ids(workflow);

        await (await host.Http.PostAsync($"tasks/{ids[1]}/start", null)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Name == "WorkflowTaskStartFailed"), "the pass to try the root");
        foreach (var id in ids)
        {
            Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(id))!.State);
        }
    }

    [Fact]
    public async Task Results_InterruptedParent_SkipsSuccessChild()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var workflow = await host.Http.CreateWorkflowAsync("""
            [{"id":"a","name":"a"},{"id":"b","name":"b"},{"id":"child","name":"child","depends_on":["a","b"]}]
            """);
        var ids = GraphHttp.Ids(workflow);
        var a = (await host.GetTaskAsync(ids[0]))!;
        await host.Store.Tasks.UpdateAsync(a with { State = TaskState.Interrupted }, CancellationToken.None);
        await (await host.Http.PostAsync($"tasks/{ids[1]}/start", null)).ReadJsonAsync();
        await probe.WaitForStartAsync(ids[1]);

        await probe.SucceedAsync(ids[1], "ok");

        await host.WaitForStateAsync(ids[2], TaskState.Skipped);
        Assert.Equal(0, probe.StartsOf(ids[2]));
    }

    private static (string A, string B, string C, string D) Split(string[] ids) => (ids[0], ids[1], ids[2], ids[3]);
}
