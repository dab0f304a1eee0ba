using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Embedded;

/// <summary>
/// The manager orchestrates a mixed fleet through the embedded broker: one .NET proplet and one C proplet (the
/// embedded proplet's host build, a real child process speaking the same protocol).
/// </summary>
public sealed class MixedFleetTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    private static string AddWasm => Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat"));

    [Fact]
    public async Task MixedFleet_TasksLandOnBoth_AndTheCPropletAnswersAdd()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        await using var c = await EmbeddedPropletProcess.StartAsync(env, output);
        await env.WaitForAlivePropletsAsync(2);

        var view = await env.GetPropletAsync(c.Id);
        Assert.Equal("wasmtime-c", view.Metadata!.WasmRuntime);
        Assert.Equal("embedded", view.Metadata.Environment);
        var pinned = await RunAsync(env, new TaskDto { Name = "add", File = AddWasm, Inputs = ["10", "20"], PropletId = c.Id });
        Assert.Equal(c.Id, pinned.PropletId);
        Assert.Equal("30", pinned.Results!.Value.GetString());

        var placed = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            RunAsync(env, new TaskDto { Name = "add", File = AddWasm, Inputs = [$"{i}", "20"] })));

        Assert.Equal([20, 21, 22, 23], placed.Select(t => int.Parse(t.Results!.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Order());
        Assert.Equal(
            new[] { c.Id, env.Stack.PropletIds[0] }.Order(StringComparer.Ordinal),
            placed.Select(t => t.PropletId!).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SpinLoopOnTheCProplet_StopEndsItWithinOneSecond()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        await using var c = await EmbeddedPropletProcess.StartAsync(env, output);
        await env.WaitForAlivePropletsAsync(2);
        await using var watcher = await ResultWatcher.StartAsync(env);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "loop",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("loop", "loop.wat")),
            PropletId = c.Id,
        });
        using (var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        // The C proplet answers nothing until the guest ends; a short wait lets the loop really start spinning.
        await Task.Delay(500);
        Assert.False(watcher.Arrived(task.Id), "the spin loop ended before it was stopped");
        var stoppedAt = Stopwatch.GetTimestamp();
        using (var stop = await env.Http.PostAsync($"tasks/{task.Id}/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var result = await watcher.WaitAsync(task.Id);
        var elapsed = Stopwatch.GetElapsedTime(stoppedAt, result.At);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the result came {elapsed.TotalMilliseconds:0} ms after the stop was asked for");
        Assert.Equal(c.Id, result.Payload.GetProperty("proplet_id").GetString());
        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(TaskState.Failed, done.State);
        Assert.Equal("Task was cancelled or panicked", done.Error);
        Assert.Equal("30", (await RunAsync(env, new TaskDto { Name = "add", File = AddWasm, Inputs = ["10", "20"], PropletId = c.Id })).Results!.Value.GetString());
    }

    [Fact]
    public async Task MalformedJsonAndATruncatedChunkStream_LeaveTheCPropletServing()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        await using var c = await EmbeddedPropletProcess.StartAsync(env, output, new Dictionary<string, string> { ["PROPLET_CHUNK_TIMEOUT"] = "2" });
        await env.WaitForAlivePropletsAsync(2);
        await using var watcher = await ResultWatcher.StartAsync(env);
        var (tenant, channel) = env.ChannelOfManager();
        var topics = new TopicBuilder(tenant, channel);
        await using var abuser = await env.ConnectClientAsync("abuser");
        var garbage = new byte[256 * 1024];
        new Random(7).NextBytes(garbage);
        string[] targets =
        [
            topics.ManagerStart, topics.ManagerStartFor(c.Id), topics.ManagerStop, topics.ManagerStopFor(c.Id),
            topics.RegistryServer, topics.RegistryStatus, topics.ManagerDiscover,
        ];
        foreach (var topic in targets)
        {
            foreach (var payload in new[] { "{not json"u8.ToArray(), "[1,2"u8.ToArray(), "{\"id\":42,\"name\":[]}"u8.ToArray(), garbage })
            {
                await abuser.PublishAsync(topic, payload, CancellationToken.None);
            }
        }

        // A start whose binary comes in chunks, of which only the first of three ever arrives.
        const string app = "truncated.example/app:1";
        var start = $$"""{"id":"truncated-task","name":"add","image_url":"{{app}}","inputs":["1","2"],"proplet_id":"{{c.Id}}"}""";
        await abuser.PublishAsync(topics.ManagerStartFor(c.Id), Encoding.UTF8.GetBytes(start), CancellationToken.None);
        await Task.Delay(200);
        var chunk = $$"""{"app_name":"{{app}}","chunk_idx":0,"total_chunks":3,"data":"{{Convert.ToBase64String(new byte[300])}}"}""";
        await abuser.PublishAsync(topics.RegistryServer, Encoding.UTF8.GetBytes(chunk), CancellationToken.None);

        var failed = await watcher.WaitAsync("truncated-task");
        Assert.Equal(c.Id, failed.Payload.GetProperty("proplet_id").GetString());
        Assert.False(string.IsNullOrEmpty(failed.Payload.GetProperty("error").GetString()));
        Assert.False(c.HasExited);
        Assert.Equal("30", (await RunAsync(env, new TaskDto { Name = "add", File = AddWasm, Inputs = ["10", "20"], PropletId = c.Id })).Results!.Value.GetString());
    }

    [Fact]
    public async Task KilledCProplet_LastWillMarksItDeadAtOnce()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        await using var c = await EmbeddedPropletProcess.StartAsync(env, output);
        await env.WaitForAlivePropletsAsync(2);

        await c.KillAsync();

        // Heartbeats come every second and the liveness window is 10 s: only the Last Will explains a quick flip.
        await Eventually.TrueAsync(async () => !(await env.GetPropletAsync(c.Id)).Alive, "the Last Will to mark the C proplet dead", TimeSpan.FromSeconds(5));
        var page = await env.Http.GetFromJsonAsync("proplets?status=active", Json.PropletPage);
        Assert.Equal([env.Stack.PropletIds[0]], page!.Proplets.Select(p => p.Id));
    }

    private static async Task<TaskDto> RunAsync(PropellerTestEnvironment env, TaskDto task)
    {
        var created = await env.CreateTaskAsync(task);
        using var start = await env.Http.PostAsync($"tasks/{created.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var done = await env.WaitForTerminalAsync(created.Id);
        Assert.True(done.State == TaskState.Completed, $"task {created.Id} ended {done.State}: {done.Error}");
        return done;
    }

    /// <summary>Results as they cross the broker, with their arrival time, read from this test's own client.</summary>
    private sealed class ResultWatcher : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, Arrival> _results = new(StringComparer.Ordinal);
        private Contracts.Mqtt.PropellerMqttClient _client = null!;

        public static async Task<ResultWatcher> StartAsync(PropellerTestEnvironment env)
        {
            var watcher = new ResultWatcher { _client = await env.ConnectClientAsync("result-watcher") };
            var (tenant, channel) = env.ChannelOfManager();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await watcher._client.SubscribeAsync(new TopicBuilder(tenant, channel).PropletResults, watcher.OnResultAsync, timeout.Token);
            return watcher;
        }

        public bool Arrived(string taskId) => _results.ContainsKey(taskId);

        public Task<Arrival> WaitAsync(string taskId) =>
            Eventually.ValueAsync(() => Task.FromResult(_results.GetValueOrDefault(taskId)), a => a is not null, $"a result for {taskId}")!;

        public ValueTask DisposeAsync() => _client.DisposeAsync();

        private Task OnResultAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            var at = Stopwatch.GetTimestamp();
            try
            {
                using var document = JsonDocument.Parse(payload);
                var root = document.RootElement.Clone();
                if (root.TryGetProperty("task_id", out var id) && id.GetString() is { } taskId)
                {
                    _results.TryAdd(taskId, new Arrival(root, at));
                }
            }
            catch (JsonException)
            {
            }

            return Task.CompletedTask;
        }
    }

    /// <param name="At">A <see cref="Stopwatch.GetTimestamp"/> reading taken when the result arrived.</param>
    private sealed record Arrival(JsonElement Payload, long At);
}
