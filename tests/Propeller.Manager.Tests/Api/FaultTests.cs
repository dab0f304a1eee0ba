using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Api;

public sealed class FaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnhandledException_Returns500JsonAndTheHostKeepsServing()
    {
        await using var host = await ManagerTestHost.StartAsync(
            output,
            expectedErrors: e => e.EventId.Id == EventIds.UnhandledException,
            beforeStart: app => app.MapGet("/boom", string () => throw new InvalidOperationException("secret detail")));

        var error = await (await host.Http.GetAsync("boom")).ReadErrorAsync(HttpStatusCode.InternalServerError);

        Assert.Equal("internal server error", error);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == EventIds.UnhandledException && e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
        await (await host.Http.GetAsync("tasks")).ReadJsonAsync();
    }

    [Fact]
    public async Task Start_PublishFails_Returns500AndRollsBackTheStart()
    {
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { MqttTimeout = TimeSpan.FromSeconds(1) });
        var proplet = await host.AddPropletAsync(age: TimeSpan.Zero);
        var created = await host.Http.CreateTaskAsync("""{"name":"t"}""");
        var id = created["id"]!.GetValue<string>();
        await host.Service<PropellerMqttClient>().AbortAsync();

        var error = await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(HttpStatusCode.InternalServerError);

        Assert.Contains("publish", error, StringComparison.Ordinal);
        var task = (await host.GetTaskAsync(id))!;
        Assert.Equal(TaskState.Failed, task.State);
        Assert.StartsWith("failed to publish start message:", task.Error, StringComparison.Ordinal);
        Assert.Null(await host.Store.TaskProplets.GetAsync(id, CancellationToken.None));
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }
}
