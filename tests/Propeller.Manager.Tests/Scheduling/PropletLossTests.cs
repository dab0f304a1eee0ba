using Propeller.Contracts.Messages;
using Propeller.Manager.Diagnostics;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>A proplet that goes away while it runs a task: Failed, or re-placed under a <c>retry</c> policy.</summary>
public sealed class PropletLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LastWill_RunningTaskWithoutRetry_IsFailedWithTheOfflineText()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var proplet = await ScriptedProplet.StartAsync(host);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t"}"""))["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
        await Eventually.TrueAsync(() => proplet.Started.Count == 1, "the start");

        await proplet.GoOfflineAsync();

        var failed = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Failed, "the task to fail");
        Assert.Equal($"proplet {proplet.Id} went offline while the task was running", failed.Error);
        Assert.Equal(0UL, (await host.GetPropletAsync(proplet.Id))!.TaskCount);
    }

    [Fact]
    public async Task HeartbeatsStop_RunningTask_IsFailedAfterTheLostTimeout()
    {
        await using var host = await ManagerTestHost.StartAsync(output, configure: o => o with { PropletLostTimeout = TimeSpan.FromSeconds(10) });
        await using var proplet = await ScriptedProplet.StartAsync(host);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t"}"""))["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        // The heartbeat of the start is the last one; the proplet is silent from now on.
        var failed = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Failed, "the task to fail", TimeSpan.FromSeconds(40));

        Assert.Equal($"proplet {proplet.Id} went offline while the task was running", failed.Error);
    }

    [Fact]
    public async Task LastWill_WithRetry_ReplacesTheTaskOnAnotherPropletAsAttemptTwo()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var first = await ScriptedProplet.StartAsync(host);
        var id = (await host.Http.CreateTaskAsync($$$"""{"name":"t","proplet_id":"{{{first.Id}}}","retry":{"max_attempts":2,"backoff_ms":200}}"""))["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
        await using var second = await ScriptedProplet.StartAsync(host);

        await first.GoOfflineAsync();

        var replaced = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Running && t.Attempt == 2, "the re-placement");
        Assert.Equal(second.Id, replaced.PropletId);
        await Eventually.TrueAsync(() => second.Started.Count == 1, "the start on the second proplet");
        Assert.Equal([id], second.Started);
        Assert.Null(replaced.Error);
        Assert.Equal(0UL, (await host.GetPropletAsync(first.Id))!.TaskCount);
        Assert.Equal(1UL, (await host.GetPropletAsync(second.Id))!.TaskCount);
        var json = await (await host.Http.GetAsync($"tasks/{id}")).ReadJsonAsync();
        Assert.Equal(2, json["attempt"]!.GetValue<int>());

        // The last attempt is used up: the next loss fails the task for good.
        await second.GoOfflineAsync();
        var failed = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Failed, "the task to fail");
        Assert.Equal($"proplet {second.Id} went offline while the task was running after 2 attempts", failed.Error);
    }

    [Fact]
    public async Task LastWill_WithRetryButNoOtherProplet_FailsWithTheReason()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var only = await ScriptedProplet.StartAsync(host);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","retry":{"max_attempts":3,"backoff_ms":0}}"""))["id"]!.GetValue<string>();
        await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();

        await only.GoOfflineAsync();

        var failed = await Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Failed, "the task to fail");
        Assert.Equal($"proplet {only.Id} went offline while the task was running; re-placing it failed: no active proplet other than {only.Id} available", failed.Error);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == EventIds.TaskRetryScheduled);
    }
}
