using System.Net;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class TaskCreateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_ValidTask_Returns201WithLocationAndDefaults()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var response = await host.Http.PostJsonAsync("tasks", """{"id":"client-chosen","name":"add","image_url":"docker.io/example/add:v1","inputs":["10","20"]}""");

        var task = (await response.ReadJsonAsync(HttpStatusCode.Created)).AsObject();
        var id = task["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.NotEqual("client-chosen", id);
        Assert.Equal($"/tasks/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("standard", task["kind"]!.GetValue<string>());
        Assert.Equal(50, task["priority"]!.GetValue<int>());
        Assert.Equal(0, task["state"]!.GetValue<int>());
        Assert.True(task.ContainsKey("cli_args"));
        Assert.Null(task["cli_args"]);
        Assert.Equal("0001-01-01T00:00:00Z", task["start_time"]!.GetValue<string>());
        Assert.NotEqual("0001-01-01T00:00:00Z", task["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_ClientSuppliedStateAndResults_AreStoredAsGiven()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var task = await host.Http.CreateTaskAsync("""{"name":"t","state":6,"error":"boom","results":{"x":1},"proplet_id":"p1","kind":"federated","priority":7}""");

        Assert.Equal(6, task["state"]!.GetValue<int>());
        Assert.Equal("boom", task["error"]!.GetValue<string>());
        Assert.Equal(1, task["results"]!["x"]!.GetValue<int>());
        Assert.Equal("p1", task["proplet_id"]!.GetValue<string>());
        Assert.Equal("federated", task["kind"]!.GetValue<string>());
        Assert.Equal(7, task["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_InputsAsNumbersAndBooleans_AreKeptAsText()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var task = await host.Http.CreateTaskAsync("""{"name":"add","inputs":[10, 2.5, "x", true]}""");

        Assert.Equal(["10", "2.5", "x", "true"], task["inputs"]!.AsArray().Select(i => i!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_InputsWithAnObject_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", """{"name":"add","inputs":["1",{"a":1}]}""")).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("expected string or number", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name is required")]
    [InlineData("""{"inputs":["1"]}""", "name is required")]
    [InlineData("""{"name":"t","run_if":"sometimes"}""", "run_if")]
    [InlineData("""{"name":"t","schedule":"not a cron"}""", "invalid cron expression")]
    [InlineData("""{"name":"t","schedule":"* * * * * *"}""", "invalid cron expression")]
    [InlineData("""{"name":"t","priority":101}""", "priority")]
    [InlineData("""{"name":"t","priority":-1}""", "priority")]
    [InlineData("""{"name":"t","broadcast":true,"proplet_id":"p1"}""", "broadcast and proplet_id")]
    [InlineData("""{"name":"t","state":9}""", "state")]
    [InlineData("""{"name":"t","file":"***"}""", "base64")]
    [InlineData("""{"name":"t","depends_on":["a"]}""", "workflow_id is required when depends_on is specified")]
    public async Task Create_InvalidField_Returns400(string body, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ChecksRunInTheOriginalOrder_NameFirst()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", """{"name":"","run_if":"x","priority":500,"broadcast":true,"proplet_id":"p"}""")).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Equal("name is required", error);
    }

    [Fact]
    public async Task Create_MetadataOverOneMebibyte_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var big = new string('x', 1024 * 1024);

        var error = await (await host.Http.PostJsonAsync("tasks", $$$"""{"name":"t","metadata":{"blob":"{{{big}}}"}}""")).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("metadata", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DependencyMissingFromWorkflow_Returns422()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", $$"""{"name":"child","workflow_id":"wf-1","depends_on":["{{Guid.NewGuid()}}"]}""")).ReadErrorAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("dependency task not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DependencyInSameWorkflow_Returns201()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var parent = await host.Http.CreateTaskAsync("""{"name":"parent","workflow_id":"wf-1"}""");

        var child = await host.Http.CreateTaskAsync($$"""{"name":"child","workflow_id":"wf-1","depends_on":["{{parent["id"]}}"]}""");

        Assert.Equal(parent["id"]!.GetValue<string>(), child["depends_on"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_DependencyInAnotherWorkflow_Returns422()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var parent = await host.Http.CreateTaskAsync("""{"name":"parent","workflow_id":"wf-1"}""");

        var response = await host.Http.PostJsonAsync("tasks", $$"""{"name":"child","workflow_id":"wf-2","depends_on":["{{parent["id"]}}"]}""");

        await response.ReadErrorAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Create_WithSchedule_ComputesNextRunInTheFuture()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var task = await host.Http.CreateTaskAsync("""{"name":"cron","schedule":"*/5 * * * *","is_recurring":true,"timezone":"Europe/Paris"}""");

        var nextRun = DateTimeOffset.Parse(task["next_run"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(nextRun, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5.1));
        Assert.True(task["is_recurring"]!.GetValue<bool>());
        Assert.Equal("Europe/Paris", task["timezone"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_FileIsRedactedInTheResponse()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var wasm = new byte[] { 0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
        var base64 = Convert.ToBase64String(wasm);

        var task = await host.Http.CreateTaskAsync($$"""{"name":"t","file":"{{base64}}"}""");

        Assert.Equal($"{base64[..10]}<REDACTED>{base64[^10..]}", task["file"]!.GetValue<string>());
        var stored = await host.GetTaskAsync(task["id"]!.GetValue<string>());
        Assert.Equal(wasm, stored!.File);
    }
}
