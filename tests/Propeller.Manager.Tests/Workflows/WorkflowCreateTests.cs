using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Workflows;

public sealed class WorkflowCreateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_ChainOfThree_StoresThemUnderOneWorkflowId()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        using var response = await host.Http.PostJsonAsync("workflows", """
            {"tasks":[{"id":"one","name":"one"},{"id":"two","name":"two","depends_on":["one"]},{"id":"three","name":"three","depends_on":["two"]}]}
            """);

        var body = (await response.ReadJsonAsync(HttpStatusCode.Created)).AsObject();
        var workflowId = body["workflow_id"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(workflowId));
        Assert.Equal($"/workflows/{workflowId}", response.Headers.Location?.OriginalString);
        Assert.Equal((int)TaskState.Pending, body["state"]!.GetValue<int>());
        var tasks = body["tasks"]!.AsArray();
        Assert.Equal(3, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(workflowId, t!["workflow_id"]!.GetValue<string>()));
        Assert.Equal(["one", "two", "three"], tasks.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(3, (await host.Store.Tasks.ListByWorkflowAsync(workflowId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Create_BareArrayBody_IsAcceptedLikeTheTasksObject()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var body = await host.Http.CreateWorkflowAsync("""[{"name":"x"},{"name":"y"}]""");

        Assert.Equal(2, body["tasks"]!.AsArray().Count);
    }

    [Fact]
    public async Task Create_LabelIds_BecomeUuidsFetchableOverHttpAndDependsOnFollows()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var body = await host.Http.CreateWorkflowAsync(GraphHttp.Diamond);

        var ids = GraphHttp.Ids(body);
        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _), id));
        var d = await (await host.Http.GetAsync($"tasks/{ids[3]}")).ReadJsonAsync();
        Assert.Equal([ids[1], ids[2]], d["depends_on"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("d", d["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_UuidIds_AreKept()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var parent = Guid.NewGuid().ToString();
        var child = Guid.NewGuid().ToString();

        var body = await host.Http.CreateWorkflowAsync($$"""[{"id":"{{parent}}","name":"p"},{"id":"{{child}}","name":"c","depends_on":["{{parent}}"]}]""");

        Assert.Equal([parent, child], GraphHttp.Ids(body));
        Assert.Equal(parent, (await host.GetTaskAsync(child))!.DependsOn!.Single());
    }

    [Fact]
    public async Task Create_ClientWorkflowId_IsUsedForEveryTask()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var body = await host.Http.CreateWorkflowAsync("""[{"name":"x"},{"name":"y","workflow_id":"nightly-build"}]""");

        Assert.Equal("nightly-build", body["workflow_id"]!.GetValue<string>());
        Assert.All(body["tasks"]!.AsArray(), t => Assert.Equal("nightly-build", t!["workflow_id"]!.GetValue<string>()));
        await (await host.Http.GetAsync("workflows/nightly-build")).ReadJsonAsync();
    }

    [Fact]
    public async Task Create_WorkflowIdAlreadyUsed_IsConflict()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.Http.CreateWorkflowAsync("""[{"name":"x","workflow_id":"w1"}]""");

        var error = await (await host.Http.PostJsonAsync("workflows", """[{"name":"y","workflow_id":"w1"}]""")).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("already exists", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_SecondTaskCannotBeStored_RemovesTheFirstAgain()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var taken = Guid.NewGuid().ToString();
        await host.Http.CreateWorkflowAsync($$"""[{"id":"{{taken}}","name":"existing"}]""");

        var response = await host.Http.PostJsonAsync("workflows", $$"""[{"name":"fresh","workflow_id":"rollback"},{"id":"{{taken}}","name":"clash"}]""");

        await response.ReadErrorAsync(HttpStatusCode.Conflict);
        Assert.Empty(await host.Store.Tasks.ListByWorkflowAsync("rollback", CancellationToken.None));
        Assert.Equal("existing", (await host.GetTaskAsync(taken))!.Name);
    }

    [Theory]
    [InlineData("""{"tasks":[]}""", "at least one task")]
    [InlineData("""[]""", "at least one task")]
    [InlineData("""{}""", "expected {")]
    [InlineData("""{"tasks":[{"name":""}]}""", "name is required")]
    [InlineData("""{"tasks":[{"id":"a","name":"a","run_if":"invalid"}]}""", "task a: run_if must be 'success' or 'failure'")]
    [InlineData("""{"tasks":[{"id":"a","name":"a"},{"id":"a","name":"b"}]}""", "duplicate task id 'a'")]
    [InlineData("""{"tasks":[{"name":"cron","schedule":"* * * * *"}]}""", "schedule is not supported")]
    [InlineData("""{"tasks":[{"name":"x","inputs":[{"no":1}]}]}""", "invalid JSON body")]
    [InlineData("""{"tasks":[null]}""", "expected {")]
    [InlineData("""{"tasks":""", "invalid JSON body")]
    public async Task Create_InvalidBody_Is400WithTheReason(string json, string reason)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("workflows", json)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"id":"a","name":"a","depends_on":["b"]},{"id":"b","name":"b","depends_on":["a"]}]""", "circular dependency detected: cycle detected involving tasks")]
    [InlineData("""[{"id":"a","name":"a","depends_on":["a"]}]""", "circular dependency detected: task a depends on itself")]
    [InlineData("""[{"id":"a","name":"a"},{"id":"b","name":"b","depends_on":["ghost"]}]""", "dependency task not found: task b depends on ghost which does not exist")]
    public async Task Create_BrokenGraph_Is422AndStoresNothing(string json, string reason)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("workflows", json)).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.StartsWith(reason, error, StringComparison.Ordinal);
        Assert.Equal(0UL, (await host.Store.Tasks.ListAsync(Manager.Storage.TaskFilter.None, 0, 10, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Create_WrongContentType_Is400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        using var content = new StringContent("""[{"name":"x"}]""", System.Text.Encoding.UTF8, "text/plain");
        await (await host.Http.PostAsync("workflows", content)).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Get_Workflow_ShowsItsTasksInOrderWithTheFileRedacted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var file = Convert.ToBase64String(new byte[64]);
        var created = await host.Http.CreateWorkflowAsync($$"""[{"name":"first","file":"{{file}}"},{"name":"second"}]""");

        var workflow = await (await host.Http.GetAsync($"workflows/{created["workflow_id"]}")).ReadJsonAsync();

        Assert.Equal(created["workflow_id"]!.GetValue<string>(), workflow["workflow_id"]!.GetValue<string>());
        Assert.Equal(["first", "second"], workflow["tasks"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Contains("<REDACTED>", workflow["tasks"]![0]!["file"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownWorkflow_Is404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"workflows/{Guid.NewGuid()}")).ReadErrorAsync(HttpStatusCode.NotFound);
    }
}
