using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Orchestration;

/// <summary>Workflows and jobs on real proplets through the embedded broker.</summary>
public sealed class WorkflowTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    /// <summary><c>seven</c> answers 7; <c>boom</c> traps (<c>unreachable</c>), so its task fails.</summary>
    private static readonly string Module = Convert.ToBase64String(WatCompiler.ToWasm("""
        (module
          (func (export "seven") (result i32) (i32.const 7))
          (func (export "boom") (result i32) unreachable))
        """));

    [Fact]
    public async Task Diamond_RunsOnProplets_AndDStartsWithTheResultsOfBAndC()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        await using var starts = await StartWatcher.ConnectAsync(env);
        var workflow = await CreateWorkflowAsync(env, new WorkflowRequest
        {
            Tasks =
            [
                Add("a", ["1", "2"]),
                Add("b", ["10", "20"], "a"),
                Add("c", ["100", "200"], "a"),
                Add("d", ["1000", "2000"], "b", "c"),
            ],
        });
        var (a, b, c, d) = (workflow.Tasks[0].Id, workflow.Tasks[1].Id, workflow.Tasks[2].Id, workflow.Tasks[3].Id);

        using var start = await env.Http.PostAsync($"workflows/{workflow.WorkflowId}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        var done = await Eventually.ValueAsync(
            () => env.Http.GetFromJsonAsync($"workflows/{workflow.WorkflowId}", Json.WorkflowDto),
            w => w.State is TaskState.Completed or TaskState.Failed,
            "the diamond to finish");
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal(["3", "30", "300", "3000"], done.Tasks.Select(t => t.Results!.Value.GetString()));
        var startOfD = await starts.WaitForAsync(d);
        var parents = startOfD["parent_results"]!.AsObject();
        Assert.Equal(2, parents.Count);
        Assert.Equal("30", parents[b]!.GetValue<string>());
        Assert.Equal("300", parents[c]!.GetValue<string>());
        Assert.Equal("3", (await starts.WaitForAsync(b))["parent_results"]![a]!.GetValue<string>());
        var finishOfParents = new[] { await env.GetTaskAsync(b), await env.GetTaskAsync(c) }.Max(t => t.FinishTime);
        Assert.True(done.Tasks[3].StartTime >= finishOfParents, "d started before both parents finished");
    }

    [Fact]
    public async Task Diamond_WithBFailing_RunsTheFailureHandlerAndSkipsD()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        await using var starts = await StartWatcher.ConnectAsync(env);
        var workflow = await CreateWorkflowAsync(env, new WorkflowRequest
        {
            Tasks =
            [
                Call("a", "seven"),
                Call("b", "boom", "a"),
                Call("c", "seven", "a"),
                Call("d", "seven", "b", "c"),
                Call("handler", "seven", "b") with { RunIf = "failure" },
            ],
        });
        var ids = workflow.Tasks.Select(t => t.Id).ToArray();

        using var start = await env.Http.PostAsync($"workflows/{workflow.WorkflowId}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        var done = await Eventually.ValueAsync(
            () => env.Http.GetFromJsonAsync($"workflows/{workflow.WorkflowId}", Json.WorkflowDto),
            w => w.Tasks.All(t => t.State is TaskState.Completed or TaskState.Failed or TaskState.Skipped),
            "every task of the workflow to finish");
        Assert.Equal(
            [TaskState.Completed, TaskState.Failed, TaskState.Completed, TaskState.Skipped, TaskState.Completed],
            done.Tasks.Select(t => t.State));
        Assert.Contains("unreachable", done.Tasks[1].Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("7", done.Tasks[4].Results!.Value.GetString());
        Assert.Equal(TaskState.Failed, done.State);
        await starts.WaitForAsync(ids[4]);
        Assert.False(starts.Started(ids[3]), "the skipped task d was sent to a proplet");
    }

    [Fact]
    public async Task SequentialJob_StartsTheSecondRootOnlyAfterTheFirstFinished()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        await using var starts = await StartWatcher.ConnectAsync(env);
        using var create = await env.Http.PostAsJsonAsync(
            "jobs",
            new JobRequest { Name = "one-by-one", ExecutionMode = "sequential", Tasks = [Add("first", ["1", "1"]), Add("second", ["2", "2"]), Add("third", ["3", "3"])] },
            Json.JobRequest);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var job = (await create.Content.ReadFromJsonAsync(Json.JobDto))!;

        using var start = await env.Http.PostAsync($"jobs/{job.JobId}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);

        var done = await Eventually.ValueAsync(
            () => env.Http.GetFromJsonAsync($"jobs/{job.JobId}", Json.JobDto),
            j => j.State is TaskState.Completed or TaskState.Failed,
            "the sequential job to finish");
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal(["2", "4", "6"], done.Tasks.Select(t => t.Results!.Value.GetString()));
        for (var i = 1; i < done.Tasks.Count; i++)
        {
            Assert.True(done.Tasks[i].StartTime >= done.Tasks[i - 1].FinishTime, $"root {i} started before root {i - 1} finished");
            Assert.True(starts.Order(done.Tasks[i].Id) > starts.Order(done.Tasks[i - 1].Id));
        }
    }

    private static TaskDto Add(string id, List<string> inputs, params string[] dependsOn) => new()
    {
        Id = id,
        Name = "add",
        File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
        Inputs = inputs,
        DependsOn = dependsOn.Length == 0 ? null : [.. dependsOn],
    };

    private static TaskDto Call(string id, string export, params string[] dependsOn) => new()
    {
        Id = id,
        Name = export,
        File = Module,
        DependsOn = dependsOn.Length == 0 ? null : [.. dependsOn],
    };

    private static async Task<WorkflowDto> CreateWorkflowAsync(PropellerTestEnvironment env, WorkflowRequest request)
    {
        using var response = await env.Http.PostAsJsonAsync("workflows", request, Json.WorkflowRequest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(Json.WorkflowDto))!;
    }

    /// <summary>An extra MQTT client on the stack's channel that records every start message, in arrival order.</summary>
    private sealed class StartWatcher : IAsyncDisposable
    {
        private readonly ConcurrentQueue<JsonObject> _starts = new();
        private PropellerMqttClient? _client;

        public static async Task<StartWatcher> ConnectAsync(PropellerTestEnvironment env)
        {
            var watcher = new StartWatcher();
            watcher._client = await env.ConnectClientAsync("start-watcher-" + Guid.NewGuid().ToString("N")[..8]);
            var (tenant, channel) = env.ChannelOfManager();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var topics = new TopicBuilder(tenant, channel);

            // Our proplets announce direct_control, so a start meant for one of them is on its own topic.
            await watcher._client.SubscribeAsync(topics.ManagerStart, watcher.OnStartAsync, timeout.Token);
            await watcher._client.SubscribeAsync(topics.ManagerStart + "/+", watcher.OnStartAsync, timeout.Token);
            return watcher;
        }

        public bool Started(string taskId) => _starts.Any(s => s["id"]?.GetValue<string>() == taskId);

        /// <summary>The position of the task's first start message.</summary>
        public int Order(string taskId) => _starts.ToList().FindIndex(s => s["id"]?.GetValue<string>() == taskId);

        public Task<JsonObject> WaitForAsync(string taskId) =>
            Eventually.ValueAsync(
                () => Task.FromResult(_starts.FirstOrDefault(s => s["id"]?.GetValue<string>() == taskId)),
                _ => true,
                $"the start message of task {taskId}");

        public async ValueTask DisposeAsync()
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }

        private Task OnStartAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            if (JsonNode.Parse(Encoding.UTF8.GetString(payload.Span)) is JsonObject start)
            {
                _starts.Enqueue(start);
            }

            return Task.CompletedTask;
        }
    }
}
