using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Topics;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Hosting;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Tasks;

/// <summary>
/// <c>POST /tasks/{id}/invoke</c> against fake proplets over real MQTT (manager-reference §3.5; the Go tests
/// TestInvokeTask and TestInvokeBroadcastRetries).
/// </summary>
public sealed class TaskInvokeTests(ITestOutputHelper output)
{
    private const string Invoke = TopicSuffixes.ManagerInvoke;
    private const string Start = TopicSuffixes.ManagerStart;
    private const string NotPrecompiled = "task x has not been precompiled; start it with latent=true first";

    [Fact]
    public async Task Invoke_DeployedLatentTask_SendsTheGoPayloadAndReturnsTheResults()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        proplet.Answer = _ => ("hola, world", null);
        var id = await DeployAsync(host);

        var response = await host.Http.PostJsonAsync($"tasks/{id}/invoke", """{"inputs":["\"world\""],"env":{"GREETING":"hola"}}""");

        Assert.Equal("""{"invoked":true,"results":"hola, world"}""", (await response.ReadJsonAsync()).ToJsonString());
        var invoke = await observer.WaitForAsync(Invoke);
        Assert.Equal(["broadcast", "env", "id", "inputs", "invocation_id", "proplet_id"], invoke.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(id, invoke["id"]!.GetValue<string>());
        Assert.False(invoke["broadcast"]!.GetValue<bool>());
        Assert.Equal(proplet.Id, invoke["proplet_id"]!.GetValue<string>());
        Assert.Equal(["\"world\""], invoke["inputs"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal("""{"GREETING":"hola"}""", invoke["env"]!.ToJsonString());
        Assert.False(string.IsNullOrEmpty(invoke["invocation_id"]!.GetValue<string>()));
        Assert.Equal(0, host.Service<PendingInvocations>().Count);
    }

    [Fact]
    public async Task Invoke_WithoutBody_SendsNullInputsAndNoEnvKey()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        proplet.Answer = _ => ("42", null);
        var id = await DeployAsync(host);

        var response = await host.Http.PostAsync($"tasks/{id}/invoke", null);

        Assert.Equal("42", (await response.ReadJsonAsync())["results"]!.GetValue<string>());
        var invoke = await observer.WaitForAsync(Invoke);
        Assert.False(invoke.ContainsKey("env"));
        Assert.True(invoke.ContainsKey("inputs"));
        Assert.Null(invoke["inputs"]);
    }

    [Fact]
    public async Task Invoke_NumbersAndEmptyEnv_SendsNumbersAsTextAndNoEnvKey()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        proplet.Answer = _ => ("3", null);
        var id = await DeployAsync(host);

        await (await host.Http.PostJsonAsync($"tasks/{id}/invoke", """{"inputs":[1,2.5,"x"],"env":{}}""")).ReadJsonAsync();

        var invoke = await observer.WaitForAsync(Invoke);
        Assert.Equal(["1", "2.5", "x"], invoke["inputs"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.False(invoke.ContainsKey("env"));
    }

    [Fact]
    public async Task Invoke_TaskNotLatent_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t","file":"AGFzbQEAAAA="}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/invoke", null)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Equal($"task {created["id"]} is not latent", error);
    }

    [Fact]
    public async Task Invoke_UnknownTask_Returns404AndABadId400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.PostAsync($"tasks/{Guid.NewGuid()}/invoke", null)).ReadErrorAsync(HttpStatusCode.NotFound);
        await (await host.Http.PostAsync("tasks/not-a-uuid/invoke", null)).ReadErrorAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invoke_LatentTaskNeverStarted_Returns409()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var created = await host.Http.CreateTaskAsync("""{"name":"t","file":"AGFzbQEAAAA=","latent":true}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/invoke", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal($"task {created["id"]} has not been deployed; start it first", error);
    }

    [Fact]
    public async Task Invoke_BroadcastWithoutActiveProplets_Returns409()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await host.AddPropletAsync(age: TimeSpan.FromMinutes(5));
        var created = await host.Http.CreateTaskAsync("""{"name":"t","file":"AGFzbQEAAAA=","latent":true,"broadcast":true}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/invoke", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal("no proplet was provided", error);
    }

    [Fact]
    public async Task Invoke_BodyWithoutJsonContentType_Returns400()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        var id = await DeployAsync(host);

        using var content = new StringContent("""{"inputs":["1"]}""", System.Text.Encoding.UTF8, "text/plain");
        var error = await (await host.Http.PostAsync($"tasks/{id}/invoke", content)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains("unsupported content type", error, StringComparison.Ordinal);
        Assert.Empty(proplet.Invokes);
    }

    [Fact]
    public async Task Invoke_WhileShuttingDown_Returns503()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        var id = await DeployAsync(host);
        host.Service<ShutdownGate>().Close();

        var error = await (await host.Http.PostAsync($"tasks/{id}/invoke", null)).ReadErrorAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Equal("service is shutting down", error);
        Assert.Empty(proplet.Invokes);
    }

    [Fact]
    public async Task Invoke_NobodyAnswers_Returns504AfterTheConfiguredTimeoutAndDropsALateAnswer()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { InvokeTimeout = TimeSpan.FromMilliseconds(300) });
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        var id = await DeployAsync(host);

        var error = await (await host.Http.PostAsync($"tasks/{id}/invoke", null)).ReadErrorAsync(HttpStatusCode.GatewayTimeout);

        Assert.Equal($"invocation of task {id} timed out after 300ms", error);
        Assert.Equal(0, host.Service<PendingInvocations>().Count);
        await proplet.ReplyAsync(Assert.Single(proplet.Invokes), "too late");
        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.InvokeResultForUnknownInvocation), "the late answer to be dropped");
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Invoke_PropletReportsAnError_Returns502WithItsMessage()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        proplet.Answer = _ => ("", "function 'greet' trapped: unreachable");
        var id = await DeployAsync(host);

        var error = await (await host.Http.PostAsync($"tasks/{id}/invoke", null)).ReadErrorAsync(HttpStatusCode.BadGateway);

        Assert.Equal("function 'greet' trapped: unreachable", error);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == EventIds.InvokeFailed && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Invoke_Broadcast_SkipsAStalePropletAndReturnsTheHealthyOnesResults()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var stale = await FakeLatentProplet.StartAsync(host);
        await using var healthy = await FakeLatentProplet.StartAsync(host);
        stale.Answer = _ => ("", NotPrecompiled);
        healthy.Answer = _ => ("hello from the healthy one", null);
        var created = await host.Http.CreateTaskAsync("""{"name":"greet","file":"AGFzbQEAAAA=","latent":true,"broadcast":true}""");

        // Two invokes: the round robin starts with each proplet once, so the stale one is met first at least once.
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var response = await host.Http.PostAsync($"tasks/{created["id"]}/invoke", null);
            Assert.Equal("hello from the healthy one", (await response.ReadJsonAsync())["results"]!.GetValue<string>());
        }

        Assert.Single(stale.Invokes);
        Assert.Equal(2, healthy.Invokes.Count);
        Assert.Empty(observer.Messages(Start));
    }

    [Fact]
    public async Task Invoke_BroadcastNobodyHasItPrecompiled_RedeploysToEveryPropletAndReturnsTheError()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var first = await FakeLatentProplet.StartAsync(host);
        await using var second = await FakeLatentProplet.StartAsync(host);
        first.Answer = second.Answer = _ => ("", NotPrecompiled);
        var created = await host.Http.CreateTaskAsync("""{"name":"greet","file":"AGFzbQEAAAA=","latent":true,"broadcast":true,"daemon":true}""");
        var id = created["id"]!.GetValue<string>();

        var error = await (await host.Http.PostAsync($"tasks/{id}/invoke", null)).ReadErrorAsync(HttpStatusCode.BadGateway);

        Assert.Contains("has not been precompiled", error, StringComparison.Ordinal);
        var starts = await Eventually.ValueAsync(() => Task.FromResult<IReadOnlyList<JsonObject>?>(observer.Messages(Start)), s => s.Count >= 2, "the re-deploy starts");
        var marker = Guid.NewGuid().ToString();
        await observer.PublishAsync(TopicSuffixes.PropletAlive, $$"""{"proplet_id":"{{marker}}","status":"alive","namespace":"default"}""");
        await observer.WaitForAsync(TopicSuffixes.PropletAlive, m => m["proplet_id"]!.GetValue<string>() == marker);
        starts = observer.Messages(Start);
        Assert.Equal(2, starts.Count);
        Assert.All(starts, s =>
        {
            Assert.Equal(id, s["id"]!.GetValue<string>());
            Assert.True(s["latent"]!.GetValue<bool>());
            Assert.False(s["broadcast"]!.GetValue<bool>());
            Assert.False(s["daemon"]!.GetValue<bool>());
            Assert.False(s.ContainsKey("parent_results"));
        });
        Assert.Equal(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal), starts.Select(s => s["proplet_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Single(first.Invokes);
        Assert.Single(second.Invokes);
    }

    [Fact]
    public async Task Invoke_BroadcastOtherError_ReturnsItWithoutTryingTheNextProplet()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var observer = await host.ConnectProbeAsync();
        await using var first = await FakeLatentProplet.StartAsync(host);
        await using var second = await FakeLatentProplet.StartAsync(host);
        first.Answer = second.Answer = _ => ("", "out of fuel");
        var created = await host.Http.CreateTaskAsync("""{"name":"greet","file":"AGFzbQEAAAA=","latent":true,"broadcast":true}""");

        var error = await (await host.Http.PostAsync($"tasks/{created["id"]}/invoke", null)).ReadErrorAsync(HttpStatusCode.BadGateway);

        Assert.Equal("out of fuel", error);
        Assert.Equal(1, first.Invokes.Count + second.Invokes.Count);
        Assert.Empty(observer.Messages(Start));
    }

    [Fact]
    public async Task Invoke_EightInParallelAnsweredOutOfOrder_EachGetsItsOwnAnswer()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        var id = await DeployAsync(host);

        var calls = Enumerable.Range(0, 8)
            .Select(i => host.Http.PostJsonAsync($"tasks/{id}/invoke", $$"""{"inputs":["{{i}}"]}"""))
            .ToList();
        await Eventually.TrueAsync(() => proplet.Invokes.Count == 8, "all eight invokes to arrive");
        foreach (var invoke in proplet.Invokes.Reverse())
        {
            await proplet.ReplyAsync(invoke, "echo " + invoke["inputs"]![0]!.GetValue<string>());
        }

        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal($"echo {i}", (await (await calls[i]).ReadJsonAsync())["results"]!.GetValue<string>());
        }

        Assert.Equal(8, proplet.Invokes.Select(v => v["invocation_id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(0, host.Service<PendingInvocations>().Count);
    }

    [Fact]
    public async Task InvokeResult_MalformedOrWithoutInvocationId_IsDroppedAndTheNextInvokeWorks()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        var id = await DeployAsync(host);

        await proplet.Probe.PublishAsync(TopicSuffixes.PropletInvokeResults, """{"task_id":"t","invocation_id":"i","results":42}""");
        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.Level == LogLevel.Warning && e.EventId.Id == EventIds.MalformedMessage), "a warning");
        await proplet.Probe.PublishAsync(TopicSuffixes.PropletInvokeResults, """{"task_id":"t","results":"x","error":null}""");
        await Eventually.TrueAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == EventIds.InvokeResultWithoutInvocationId), "the answer without id to be ignored");
        proplet.Answer = _ => ("fine", null);

        var response = await host.Http.PostAsync($"tasks/{id}/invoke", null);

        Assert.Equal("fine", (await response.ReadJsonAsync())["results"]!.GetValue<string>());
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Invoke_IsCountedUnderInvokeTask()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await FakeLatentProplet.StartAsync(host);
        proplet.Answer = _ => ("ok", null);
        var id = await DeployAsync(host);

        await (await host.Http.PostAsync($"tasks/{id}/invoke", null)).ReadJsonAsync();

        var metrics = await host.CreateClient(null).GetStringAsync("metrics");
        Assert.Contains("manager_api_request_count{method=\"invoke-task\"} 1", metrics, StringComparison.Ordinal);
    }

    /// <summary>Creates a latent task and starts it, so the manager maps it to the (only) alive proplet.</summary>
    private static async Task<string> DeployAsync(ManagerTestHost host)
    {
        var created = await host.Http.CreateTaskAsync("""{"name":"greet","file":"AGFzbQEAAAA=","latent":true}""");
        var id = created["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
        return id;
    }
}
