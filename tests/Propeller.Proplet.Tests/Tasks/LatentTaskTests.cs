using System.Globalization;
using System.Text.Json;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Hosting;
using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Runtimes.Components;
using Propeller.Proplet.Runtimes.Host;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Runtimes.Components;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Tasks;

public sealed class LatentTaskTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>, IDisposable
{
    private const string InvokeResults = "control/proplet/invoke_results";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Invoke_DeployedGreet_AnswersOnInvokeResultsAndStartPublishesNothing()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "g");

        await InvokeAsync(proplet, "g", "i1", "\"a\"");

        var answer = await AnswerAsync(proplet, "i1");
        Assert.Equal(
            ["task_id", "invocation_id", "proplet_id", "results", "error"],
            answer.Payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal("g", answer.Text("task_id"));
        Assert.Equal(proplet.PropletId, answer.Text("proplet_id"));
        Assert.Equal("\"Hello, a!\"", answer.Text("results"));
        Assert.Equal(JsonValueKind.Null, answer.Payload.GetProperty("error").ValueKind);
        Assert.Empty(proplet.Results("g"));
        Assert.Equal(1, proplet.Service<RunningTaskTable>().Count);
        var metrics = proplet.Service<PropletMetrics>();
        await Eventually.TrueAsync(() => metrics.TasksCompleted == 1, "the invocation to be counted");
        Assert.Equal(2, metrics.TasksStarted);
        Assert.Equal(1, metrics.TasksRunning);
    }

    [Fact]
    public async Task Invoke_EightInParallel_EachGetsItsOwnAnswer()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "par");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => InvokeAsync(proplet, "par", $"p{i}", $"\"n{i}\"")));

        for (var i = 0; i < 8; i++)
        {
            var answer = await AnswerAsync(proplet, $"p{i}");
            Assert.Equal($"\"Hello, n{i}!\"", answer.Text("results"));
            Assert.Equal(JsonValueKind.Null, answer.Payload.GetProperty("error").ValueKind);
        }

        Assert.Equal(8, proplet.Messages(InvokeResults).Count);
    }

    [Fact]
    public async Task Invoke_WithoutInputs_UsesTheDeployedInputs()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "stored", inputs: ["\"\\\"stored\\\"\""]);

        await proplet.PublishAsync("control/manager/invoke", """{"id":"stored","invocation_id":"s1","inputs":[]}""");

        Assert.Equal("\"Hello, stored!\"", (await AnswerAsync(proplet, "s1")).Text("results"));
    }

    [Fact]
    public async Task Invoke_UnknownTask_AnswersNotPrecompiled()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.PublishAsync("control/manager/invoke", """{"id":"ghost","inputs":["\"a\""]}""");

        var answer = await proplet.WaitForAsync(InvokeResults, m => m.Text("task_id") == "ghost");
        Assert.Equal("", answer.Text("invocation_id"));
        Assert.Equal("", answer.Text("results"));
        Assert.Equal("task ghost has not been precompiled; deploy it as a latent task first", answer.Text("error"));
    }

    [Fact]
    public async Task Invoke_ForAnotherProplet_IsIgnored()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "mine");

        await proplet.PublishAsync(
            "control/manager/invoke", """{"id":"mine","invocation_id":"other","broadcast":false,"proplet_id":"someone-else","inputs":["\"x\""]}""");
        await InvokeAsync(proplet, "mine", "ours", "\"y\"");

        await AnswerAsync(proplet, "ours");
        Assert.Equal(["ours"], proplet.Messages(InvokeResults).Select(m => m.Text("invocation_id")));
    }

    [Fact]
    public async Task Stop_LatentTask_LaterInvokeIsNotPrecompiledAndHealthCountsDown()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "gone");
        Assert.Equal(1, await RunningTasksAsync(proplet));

        await proplet.StopTaskAsync("gone");
        await Eventually.TrueAsync(async () => await RunningTasksAsync(proplet) == 0, "/health to count the stop");
        await InvokeAsync(proplet, "gone", "after", "\"a\"");

        var answer = await AnswerAsync(proplet, "after");
        Assert.Contains("has not been precompiled", answer.Text("error"), StringComparison.Ordinal);
        Assert.Empty(proplet.Results("gone"));
        Assert.Equal(0, proplet.Service<LatentTaskTable>().Count);
        Assert.Equal(0, proplet.Service<RunningTaskTable>().InFlightCount);
    }

    [Fact]
    public async Task Stop_LatentTask_CancelsItsInvocationsInFlight()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var runtime = proplet.Service<WasmtimeComponentRuntime>();
        await proplet.StartTaskAsync(Payloads.Start("spinner", "spin", TestComponents.Exports, latent: true));
        await Eventually.TrueAsync(() => proplet.Service<LatentTaskTable>().Count == 1, "the deployment");
        await proplet.PublishAsync("control/manager/invoke", """{"id":"spinner","invocation_id":"s1"}""");
        await proplet.PublishAsync("control/manager/invoke", """{"id":"spinner","invocation_id":"s2"}""");
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 2, "both invocations to run");

        await proplet.StopTaskAsync("spinner");

        foreach (var id in new[] { "s1", "s2" })
        {
            var answer = await AnswerAsync(proplet, id);
            Assert.Equal("Task was cancelled or panicked", answer.Text("error"));
            Assert.Equal("spinner", answer.Text("task_id"));
        }

        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the guest threads to end");

        // An invocation leaves the table after its guest thread has ended and its answer went out.
        await Eventually.TrueAsync(() => proplet.Service<LatentTaskTable>().InvocationCount == 0, "the invocations to leave the table");
    }

    [Fact]
    public async Task Start_LatentBrokenComponent_PublishesTheCompileError()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        byte[] broken = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff];

        await proplet.StartTaskAsync(Payloads.Start("bad", "greet", broken, latent: true));

        var result = await proplet.ResultAsync("bad");
        Assert.StartsWith("Failed to compile Wasmtime component from binary: ", result.Text("error"), StringComparison.Ordinal);
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
        Assert.Equal(0, proplet.Service<LatentTaskTable>().Count);
        Assert.Equal(1, proplet.Service<PropletMetrics>().TasksFailed);
    }

    [Fact]
    public async Task Start_LatentOnHostRuntime_PublishesNotSupported()
    {

        // Any executable found on PATH selects the host runtime; latent deployment is refused before it runs.
        await using var proplet = await PropletHarness.StartAsync(
            broker, output, new Dictionary<string, string> { [PropletVariables.ExternalWasmRuntime] = "sh" });
        Assert.IsType<HostProcessRuntime>(proplet.Service<IWasmRuntime>());

        await proplet.StartTaskAsync(Payloads.Start("host", "greet", TestComponents.Greet, latent: true));

        Assert.Equal("latent tasks are not supported by this runtime", (await proplet.ResultAsync("host")).Text("error"));
    }

    [Fact]
    public async Task Invoke_Malformed_WarnsAndAValidInvokeStillWorks()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await DeployGreetAsync(proplet, "m");

        await proplet.PublishAsync("control/manager/invoke", "{not json");
        await proplet.PublishAsync("control/manager/invoke", """{"id":"","invocation_id":"empty"}""");
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.MalformedMessage && e.Message.Contains("control/manager/invoke", StringComparison.Ordinal))
                && proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.InvalidInvoke),
            "both warnings");
        await InvokeAsync(proplet, "m", "ok", "\"b\"");

        Assert.Equal("\"Hello, b!\"", (await AnswerAsync(proplet, "ok")).Text("results"));
        Assert.Single(proplet.Messages(InvokeResults));
    }

    public void Dispose() => _http.Dispose();

    private static async Task DeployGreetAsync(PropletHarness proplet, string taskId, string[]? inputs = null)
    {
        await proplet.StartTaskAsync(Payloads.Start(taskId, "greet", TestComponents.Greet, inputs: inputs, latent: true));
        await Eventually.TrueAsync(() => proplet.Service<LatentTaskTable>().Count == 1, "the latent deployment");
    }

    private static Task InvokeAsync(PropletHarness proplet, string taskId, string invocationId, string input) =>
        proplet.PublishAsync(
            "control/manager/invoke",
            JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["id"] = taskId,
                ["invocation_id"] = invocationId,
                ["inputs"] = new[] { input },
            }));

    private static Task<ReceivedMessage> AnswerAsync(PropletHarness proplet, string invocationId) =>
        proplet.WaitForAsync(InvokeResults, m => m.Text("invocation_id") == invocationId);

    private async Task<int> RunningTasksAsync(PropletHarness proplet)
    {
        var url = new Uri(string.Create(
            CultureInfo.InvariantCulture, $"http://127.0.0.1:{proplet.Service<MetricsServer>().Port}/health"));
        using var health = JsonDocument.Parse(await _http.GetStringAsync(url));
        return health.RootElement.GetProperty("running_tasks").GetInt32();
    }
}
