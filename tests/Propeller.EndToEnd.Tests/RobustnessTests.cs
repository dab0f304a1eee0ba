using System.Net;
using System.Net.Http.Json;
using System.Text;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>Bad input anywhere is refused or dropped with a warning, and the system keeps working.</summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    private static readonly string[] BadPayloads =
    [
        "",
        "not json",
        "[1,2,3]",
        "{\"id\":",
        "{\"id\":42,\"name\":[],\"proplet_id\":{},\"task_id\":true}",
        "{\"proplet_id\":\"x\",\"timestamp\":\"yesterday\"}",
        "{\"task_id\":\"00000000-0000-0000-0000-000000000000\",\"results\":\"x\",\"error\":null}",
        "{\"proplet_id\":123,\"status\":\"alive\"}",
        "{\"id\":\"t\",\"name\":\"n\",\"inputs\":[{\"nested\":1}],\"file\":\"AAAA\"}",
        "\u0000\u0001\u0002",
    ];

    [Fact]
    public async Task MalformedMessagesOnEveryTopic_AreDroppedAndATaskStillCompletes()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var (tenant, channel) = env.ChannelOfManager();
        var topics = new TopicBuilder(tenant, channel);
        await using var intruder = await env.ConnectClientAsync("fuzzer");
        var suffixes = typeof(TopicSuffixes).GetFields().Select(f => (string)f.GetValue(null)!).ToList();

        foreach (var suffix in suffixes)
        {
            foreach (var payload in BadPayloads)
            {
                await intruder.PublishAsync(topics.For(suffix), Encoding.UTF8.GetBytes(payload), CancellationToken.None);
            }

            // A payload far beyond any sane message but under the broker's limit.
            await intruder.PublishAsync(topics.For(suffix), new byte[2 * 1024 * 1024], CancellationToken.None);
        }

        await AssertAddCompletesAsync(env);
        Assert.Contains(env.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Category.Contains("Manager", StringComparison.Ordinal));
        Assert.Contains(env.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Category.Contains("Proplet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedRequestsOnEveryEndpoint_Get4xxJsonErrorsAndATaskStillCompletes()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var unknown = Guid.NewGuid().ToString();
        var requests = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Post, "tasks", "not json"),
            (HttpMethod.Post, "tasks", "{\"name\":42}"),
            (HttpMethod.Post, "tasks", "{\"name\":\"x\",\"inputs\":[{}]}"),
            (HttpMethod.Post, "tasks", "{\"name\":\"x\",\"daemon\":\"yes\"}"),
            (HttpMethod.Post, "tasks", "{\"name\":\"\"}"),
            (HttpMethod.Post, "tasks", "[]"),
            (HttpMethod.Get, "tasks?limit=0", null),
            (HttpMethod.Get, "tasks?offset=abc", null),
            (HttpMethod.Get, "tasks?metadata=%7Bbroken", null),
            (HttpMethod.Get, "tasks/not-a-uuid", null),
            (HttpMethod.Get, $"tasks/{unknown}", null),
            (HttpMethod.Put, $"tasks/{unknown}", "{\"name\":\"x\"}"),
            (HttpMethod.Put, $"tasks/{unknown}", "{{{"),
            (HttpMethod.Put, $"tasks/{unknown}/upload", "not multipart"),
            (HttpMethod.Delete, $"tasks/{unknown}", null),
            (HttpMethod.Post, $"tasks/{unknown}/start", null),
            (HttpMethod.Post, $"tasks/{unknown}/stop", null),
            (HttpMethod.Get, $"tasks/{unknown}/results", null),
            (HttpMethod.Get, $"tasks/{unknown}/metrics?limit=x", null),
            (HttpMethod.Get, "proplets?status=sleepy", null),
            (HttpMethod.Get, "proplets?limit=-1", null),
            (HttpMethod.Get, $"proplets/{unknown}", null),
            (HttpMethod.Get, "proplets/not-a-uuid", null),
            (HttpMethod.Delete, $"proplets/{unknown}", null),
            (HttpMethod.Get, $"proplets/{unknown}/alive-history", null),
            (HttpMethod.Get, $"proplets/{unknown}/sdf", null),
            (HttpMethod.Get, $"proplets/{unknown}/metrics?offset=z", null),
        };

        foreach (var (method, path, body) in requests)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await env.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{method} {path} answered {status}");
            var error = await response.Content.ReadFromJsonAsync(Json.ErrorResponse);
            Assert.False(string.IsNullOrWhiteSpace(error?.Error), $"{method} {path} sent no error text");
        }

        // Expect: 100-continue lets the server refuse by Content-Length before the client sends 101 MiB.
        using var oversized = new HttpRequestMessage(HttpMethod.Post, "tasks") { Content = new ByteArrayContent(new byte[101 * 1024 * 1024]) };
        oversized.Content.Headers.ContentType = new("application/json");
        oversized.Headers.ExpectContinue = true;
        using var tooBig = await env.Http.SendAsync(oversized);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        await AssertAddCompletesAsync(env);
    }

    [Fact]
    public async Task RestartedManager_OnTheSameDatabase_StillListsItsTasksAndProplets()
    {
        var dataDir = Directory.CreateTempSubdirectory("propeller-restart-").FullName;
        try
        {
            string taskId;
            IReadOnlyList<string> proplets;
            await using (var first = await PropellerTestEnvironment.StartAsync(output, dataDir: dataDir))
            {
                taskId = (await AssertAddCompletesAsync(first)).Id;
                proplets = first.Stack.PropletIds;
            }

            await using var second = await PropellerTestEnvironment.StartAsync(output, dataDir: dataDir);

            var task = await second.GetTaskAsync(taskId);
            Assert.Equal(TaskState.Completed, task.State);
            Assert.Equal("30", task.Results!.Value.GetString());
            var page = await second.Http.GetFromJsonAsync("proplets", Json.PropletPage);
            Assert.Equal(proplets.Order(), page!.Proplets.Select(p => p.Id).Order());
            Assert.Equal(proplets, second.Stack.PropletIds);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<TaskDto> AssertAddCompletesAsync(PropellerTestEnvironment env)
    {
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["10", "20"],
        });
        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal("30", done.Results!.Value.GetString());
        return done;
    }
}
