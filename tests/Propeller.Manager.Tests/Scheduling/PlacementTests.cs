using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>Task <c>requirements</c> against proplet metadata, through <c>POST /tasks/{id}/start</c>.</summary>
public sealed class PlacementTests(ITestOutputHelper output)
{
    private static readonly PropletMetadata Plain = new() { Tags = ["edge"], TotalMemoryBytes = 1UL << 30, CpuArch = "x86_64", WasmRuntime = "wasmtime-internal" };

    [Fact]
    public async Task Start_NoPropletHasTheTag_Is409NamingTheTagAndTheAliveCount()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var a = await ScriptedProplet.StartAsync(host, Plain);
        await using var b = await ScriptedProplet.StartAsync(host, Plain);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","requirements":{"tags":["gpu"]}}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal("no alive proplet meets the task's requirements (tags [gpu]); 2 alive proplets checked", error);
        Assert.Equal(TaskState.Pending, (await host.GetTaskAsync(id))!.State);
    }

    [Fact]
    public async Task Start_NoPropletAlive_Is409NamingEveryRequirement()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","requirements":{"tags":["gpu"],"min_memory_bytes":1024}}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal("no alive proplet meets the task's requirements (tags [gpu], min_memory_bytes 1024); 0 alive proplets checked", error);
    }

    [Fact]
    public async Task Start_OnlyEligibleProplets_AreChosenInTurn()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var plain = await ScriptedProplet.StartAsync(host, Plain, complete: true);
        await using var gpu1 = await ScriptedProplet.StartAsync(host, Plain with { Tags = ["edge", "gpu"], TotalMemoryBytes = 8UL << 30 }, complete: true);
        await using var gpu2 = await ScriptedProplet.StartAsync(host, Plain with { Tags = ["gpu"], TotalMemoryBytes = 16UL << 30 }, complete: true);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","requirements":{"tags":["gpu"],"min_memory_bytes":4294967296,"cpu_arch":"amd64","wasm_runtime":"wasmtime-internal"}}"""))["id"]!.GetValue<string>();

        var chosen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
            var task = await Propeller.Testing.Eventually.ValueAsync(() => host.GetTaskAsync(id), t => t.State == TaskState.Completed, "the run to finish");
            chosen.Add(task.PropletId!);

            // A re-run is pinned to the proplet of the last run (proplet_id is overwritten on start); clear it.
            await host.Store.Tasks.UpdateAsync(task with { PropletId = null }, CancellationToken.None);
        }

        Assert.DoesNotContain(plain.Id, chosen);
        Assert.Contains(gpu1.Id, chosen);
        Assert.Contains(gpu2.Id, chosen);
    }

    [Fact]
    public async Task Start_PinnedPropletMissingARequirement_Is409()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var plain = await ScriptedProplet.StartAsync(host, Plain);
        var id = (await host.Http.CreateTaskAsync($$$"""{"name":"t","proplet_id":"{{{plain.Id}}}","requirements":{"cpu_arch":"aarch64","wasm_runtime":"wasmedge"}}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Equal($"specified proplet {plain.Id} does not meet the task's requirements (cpu_arch aarch64, wasm_runtime wasmedge)", error);
    }

    [Fact]
    public async Task Create_RequirementsAndRetry_AreStoredAndShown()
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var created = await host.Http.CreateTaskAsync("""{"name":"t","requirements":{"tags":["gpu","lab"],"min_memory_bytes":2048,"cpu_arch":"x86_64","wasm_runtime":"wasmtime-internal"},"retry":{"max_attempts":3,"backoff_ms":250},"attempt":7}""");

        var shown = await (await host.Http.GetAsync($"tasks/{created["id"]}")).ReadJsonAsync();
        Assert.Equal("""{"tags":["gpu","lab"],"min_memory_bytes":2048,"cpu_arch":"x86_64","wasm_runtime":"wasmtime-internal"}""", shown["requirements"]!.ToJsonString());
        Assert.Equal("""{"max_attempts":3,"backoff_ms":250}""", shown["retry"]!.ToJsonString());
        Assert.False(shown.AsObject().ContainsKey("attempt"), "attempt is the manager's count, not the client's");
    }

    [Theory]
    [InlineData("""{"name":"t","broadcast":true,"requirements":{"tags":["gpu"]}}""", "requirements cannot be used with broadcast")]
    [InlineData("""{"name":"t","broadcast":true,"retry":{"max_attempts":2}}""", "retry cannot be used with broadcast")]
    [InlineData("""{"name":"t","retry":{"max_attempts":0}}""", "retry.max_attempts must be between 1 and 100")]
    [InlineData("""{"name":"t","retry":{"max_attempts":2,"backoff_ms":-1}}""", "retry.backoff_ms must be between 0 and 300000")]
    [InlineData("""{"name":"t","requirements":{"tags":[""]}}""", "requirements.tags must not contain empty tags")]
    [InlineData("""{"name":"t","requirements":{"min_memory_bytes":-5}}""", "invalid JSON body")]
    [InlineData("""{"name":"t","requirements":{"cpu_arch":""}}""", "requirements.cpu_arch must not be empty")]
    public async Task Create_InvalidPlacementFields_Is400(string body, string expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        var error = await (await host.Http.PostJsonAsync("tasks", body)).ReadErrorAsync(HttpStatusCode.BadRequest);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
