using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Tasks;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>Latent tasks deployed and invoked over REST, through the real manager, broker and proplets.</summary>
public sealed class LatentInvokeTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task Invoke_BroadcastLatentGreet_AnswersThenAfterStopIsNotPrecompiledUntilRedeployed()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "greet",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("greet", "greet.wat")),
            Latent = true,
            Broadcast = true,
        });
        using (var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        await Eventually.TrueAsync(() => Deployments(env) == 2, "both proplets to precompile the task");

        using (var invoke = await InvokeAsync(env, task.Id, "\"world\""))
        {
            Assert.Equal(HttpStatusCode.OK, invoke.StatusCode);
            using var body = JsonDocument.Parse(await invoke.Content.ReadAsStringAsync());
            Assert.Equal(["invoked", "results"], body.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.True(body.RootElement.GetProperty("invoked").GetBoolean());
            Assert.Equal("\"Hello, world!\"", body.RootElement.GetProperty("results").GetString());
        }

        using (var stop = await env.Http.PostAsync($"tasks/{task.Id}/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        await Eventually.TrueAsync(() => Deployments(env) == 0, "both proplets to drop the task");
        using (var afterStop = await InvokeAsync(env, task.Id, "\"again\""))
        {
            Assert.Equal(HttpStatusCode.BadGateway, afterStop.StatusCode);
            var error = await afterStop.Content.ReadFromJsonAsync(Json.ErrorResponse);
            Assert.Contains("has not been precompiled", error!.Error, StringComparison.Ordinal);
        }

        // The manager answered that failure by deploying the task again everywhere, so the next invoke works.
        await Eventually.TrueAsync(() => Deployments(env) == 2, "the manager's re-deployment");
        using var redeployed = await InvokeAsync(env, task.Id, "\"again\"");
        Assert.Equal(HttpStatusCode.OK, redeployed.StatusCode);
        var answer = await redeployed.Content.ReadFromJsonAsync(Json.InvokeResponse);
        Assert.Equal("\"Hello, again!\"", answer!.Results);
    }

    private static int Deployments(PropellerTestEnvironment env) =>
        env.PropletService<LatentTaskTable>(0).Count + env.PropletService<LatentTaskTable>(1).Count;

    private static Task<HttpResponseMessage> InvokeAsync(PropellerTestEnvironment env, string id, string input) =>
        env.Http.PostAsJsonAsync($"tasks/{id}/invoke", new InvokeRequest { Inputs = [input] }, Json.InvokeRequest);
}
