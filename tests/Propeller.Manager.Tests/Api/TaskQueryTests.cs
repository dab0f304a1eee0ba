using System.Net;
using System.Text.Json;
using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class TaskQueryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Get_ExistingTask_Returns200()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var task = await (await host.Http.GetAsync($"tasks/{created["id"]}")).ReadJsonAsync();

        Assert.Equal(created["id"]!.GetValue<string>(), task["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_NotAUuid_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync("tasks/not-a-uuid")).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Get_UnknownTask_Returns404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"tasks/{Guid.NewGuid()}")).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_Default_ReturnsPageWithLimit100NewestFirst()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var first = await host.Http.CreateTaskAsync("""{"name":"first"}""");
        await Task.Delay(5);
        var second = await host.Http.CreateTaskAsync("""{"name":"second"}""");

        var page = await (await host.Http.GetAsync("tasks")).ReadJsonAsync();

        Assert.Equal(0, page["offset"]!.GetValue<int>());
        Assert.Equal(100, page["limit"]!.GetValue<int>());
        Assert.Equal(2, page["total"]!.GetValue<int>());
        Assert.Equal([second["id"]!.GetValue<string>(), first["id"]!.GetValue<string>()], page["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_OffsetAndLimit_PageThroughTasks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        for (var i = 0; i < 5; i++)
        {
            await host.Http.CreateTaskAsync($$"""{"name":"t{{i}}"}""");
        }

        var firstPage = await (await host.Http.GetAsync("tasks?offset=0&limit=3")).ReadJsonAsync();
        var secondPage = await (await host.Http.GetAsync("tasks?offset=3&limit=3")).ReadJsonAsync();

        Assert.Equal(5, firstPage["total"]!.GetValue<int>());
        Assert.Equal(3, firstPage["tasks"]!.AsArray().Count);
        Assert.Equal(5, secondPage["total"]!.GetValue<int>());
        Assert.Equal(2, secondPage["tasks"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("tasks?limit=0", "invalid limit size")]
    [InlineData("tasks?limit=101", "invalid limit size")]
    [InlineData("tasks?limit=abc", "limit")]
    [InlineData("tasks?offset=-1", "offset")]
    [InlineData("tasks?offset=1.5", "offset")]
    [InlineData("tasks?metadata=%7Bnot-json", "invalid metadata filter")]
    [InlineData("tasks?metadata=%5B1%2C2%5D", "invalid metadata filter")]
    [InlineData("tasks?metadata=%7B%7D&metadata=%7B%7D", "metadata may be given only once")]
    public async Task List_BadQuery_Returns400(string path, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.GetAsync(path)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_MetadataFilter_MatchesAllKeys()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var prod = await host.Http.CreateTaskAsync("""{"name":"a","metadata":{"env":"prod","team":"edge"}}""");
        await host.Http.CreateTaskAsync("""{"name":"b","metadata":{"env":"prod","team":"cloud"}}""");
        await host.Http.CreateTaskAsync("""{"name":"c","metadata":{"env":"dev"}}""");

        var filter = Uri.EscapeDataString("""{"env":"prod","team":"edge"}""");
        var page = await (await host.Http.GetAsync($"tasks?metadata={filter}&limit=10")).ReadJsonAsync();

        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.Equal(prod["id"]!.GetValue<string>(), page["tasks"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("edge", page["tasks"]![0]!["metadata"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_TasksAreRedacted()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddTaskAsync(new PropellerTask { Id = Guid.NewGuid().ToString(), Name = "t", File = new byte[64], CreatedAt = DateTimeOffset.UtcNow });

        var page = await (await host.Http.GetAsync("tasks")).ReadJsonAsync();

        Assert.Equal("AAAAAAAAAA<REDACTED>AAAAAAAA==", page["tasks"]![0]!["file"]!.GetValue<string>());
    }

    [Fact]
    public async Task Results_TaskWithResults_ReturnsResultsObject()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var id = Guid.NewGuid().ToString();
        await host.AddTaskAsync(new PropellerTask { Id = id, Name = "t", State = TaskState.Completed, Results = JsonDocument.Parse("""{"output":42}""").RootElement });

        var body = await (await host.Http.GetAsync($"tasks/{id}/results")).ReadJsonAsync();

        Assert.Equal(42, body["results"]!["output"]!.GetValue<int>());
    }

    [Fact]
    public async Task Results_TaskWithoutResults_Returns200WithEmptyBody()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var response = await host.Http.GetAsync($"tasks/{created["id"]}/results");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de", HttpStatusCode.NotFound)]
    public async Task Results_BadOrUnknownId_ReturnsError(string id, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync($"tasks/{id}/results")).ReadErrorAsync(expected);
    }

    [Fact]
    public async Task Metrics_UnknownTask_ReturnsEmptyPage()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var page = await (await host.Http.GetAsync($"tasks/{Guid.NewGuid()}/metrics?offset=0&limit=5")).ReadJsonAsync();

        Assert.Equal(0, page["total"]!.GetValue<int>());
        Assert.Equal(5, page["limit"]!.GetValue<int>());
        Assert.Empty(page["metrics"]!.AsArray());
    }

    [Fact]
    public async Task Delete_ExistingTask_Returns204ThenGetIs404()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");

        var response = await host.Http.DeleteAsync($"tasks/{created["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await (await host.Http.GetAsync($"tasks/{created["id"]}")).ReadErrorAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_RunningTask_SendsNoStopAndReleasesTheSlot()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();
        await probe.WaitForAsync(Propeller.Contracts.Topics.TopicSuffixes.ManagerStart);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"tasks/{created["id"]}")).StatusCode);
        await probe.PublishAsync(Propeller.Contracts.Topics.TopicSuffixes.PropletAlive, """{"proplet_id":"marker","status":"alive"}""");
        await probe.WaitForAsync(Propeller.Contracts.Topics.TopicSuffixes.PropletAlive);

        Assert.Empty(probe.Messages(Propeller.Contracts.Topics.TopicSuffixes.ManagerStop));
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Theory]
    [InlineData("not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de", HttpStatusCode.NotFound)]
    public async Task Delete_BadOrUnknownId_ReturnsError(string id, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.DeleteAsync($"tasks/{id}")).ReadErrorAsync(expected);
    }
}
