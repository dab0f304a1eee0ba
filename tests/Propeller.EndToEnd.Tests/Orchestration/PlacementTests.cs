using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Api;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Orchestration;

/// <summary>Placement requirements and lost proplets with real proplets on the embedded broker.</summary>
public sealed class PlacementTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task Start_RequiresGpu_IsRefusedUntilAGpuPropletJoinsThenRunsThere()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "add",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("add", "add.wat")),
            Inputs = ["20", "22"],
            Requirements = new TaskRequirements { Tags = ["gpu"] },
        });

        using (var refused = await env.Http.PostAsync($"tasks/{task.Id}/start", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var error = await refused.Content.ReadFromJsonAsync(Json.ErrorResponse);
            Assert.Equal("no alive proplet meets the task's requirements (tags [gpu]); 1 alive proplet checked", error!.Error);
        }

        Assert.Equal(TaskState.Pending, (await env.GetTaskAsync(task.Id)).State);

        using var gpu = await StartExtraPropletAsync(env, new Dictionary<string, string> { ["PROPLET_TAGS"] = "gpu,lab" });
        var gpuId = gpu.Services.GetRequiredService<PropletOptions>().PropletId;
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await env.Http.GetFromJsonAsync("proplets?status=active", Json.PropletPage);
                return page!.Proplets.Any(p => p.Id == gpuId && p.Metadata?.Tags?.Contains("gpu") == true);
            },
            "the gpu proplet to announce itself");

        using (var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal("42", done.Results!.Value.GetString());
        Assert.Equal(gpuId, done.PropletId);
        await gpu.StopAsync();
    }

    [Fact]
    public async Task KilledProplet_RunningLoopWithoutRetry_IsFailedWithTheOfflineText()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var victim = env.Stack.PropletIds[0];
        var task = await StartLoopAsync(env, victim, retry: null);

        await env.KillPropletConnectionAsync(0);

        var failed = await env.WaitForTaskAsync(task.Id, t => t.State == TaskState.Failed, "the task to fail");
        Assert.Equal($"proplet {victim} went offline while the task was running", failed.Error);
        Assert.Equal(1, failed.Attempt);
        Assert.Equal(0UL, (await env.GetPropletAsync(victim)).TaskCount);
        await StopKilledPropletAsync(env, 0, task.Id);
    }

    [Fact]
    public async Task KilledProplet_RunningLoopWithRetry_IsReplacedOnTheOtherPropletAsAttemptTwo()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var victim = env.Stack.PropletIds[0];
        var survivor = env.Stack.PropletIds[1];
        var task = await StartLoopAsync(env, victim, new TaskRetryPolicy { MaxAttempts = 2, BackoffMs = 100 });

        await env.KillPropletConnectionAsync(0);

        var moved = await env.WaitForTaskAsync(task.Id, t => t is { State: TaskState.Running, Attempt: 2 }, "the re-placement");
        Assert.Equal(survivor, moved.PropletId);
        await Eventually.TrueAsync(() => env.Runtime(1).ActiveExecutions == 1, "the loop to run on the other proplet");
        Assert.Equal(1UL, (await env.GetPropletAsync(survivor)).TaskCount);
        Assert.Equal(0UL, (await env.GetPropletAsync(victim)).TaskCount);

        using var stop = await env.Http.PostAsync($"tasks/{task.Id}/stop", null);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var done = await env.WaitForTerminalAsync(task.Id);
        Assert.Equal(2, done.Attempt);
        Assert.Equal("Task was cancelled or panicked", done.Error);
        await StopKilledPropletAsync(env, 0, task.Id);
    }

    /// <summary>
    /// The killed proplet still runs its guest and cannot report it any more; stopping it here, on its own time,
    /// keeps its result retries from eating the stack's shutdown budget.
    /// </summary>
    private static async Task StopKilledPropletAsync(PropellerTestEnvironment env, int index, string taskId)
    {
        env.ExpectError(e => e.Category.EndsWith("ResultPublisher", StringComparison.Ordinal) && e.Message.Contains(taskId, StringComparison.Ordinal));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await env.Stack.PropletHosts[index].StopAsync(timeout.Token);
    }

    /// <summary>Starts the never-ending <c>loop</c> example pinned to <paramref name="propletId"/> and waits until it runs.</summary>
    private static async Task<TaskDto> StartLoopAsync(PropellerTestEnvironment env, string propletId, TaskRetryPolicy? retry)
    {
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "loop",
            File = Convert.ToBase64String(PropellerTestEnvironment.Wat("loop", "loop.wat")),
            PropletId = propletId,
            Retry = retry,
        });
        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var index = env.Stack.PropletIds.ToList().IndexOf(propletId);
        await Eventually.TrueAsync(() => env.Runtime(index).ActiveExecutions == 1, "the loop to run");
        return task;
    }

    /// <summary>
    /// Starts one more proplet on a provisioned but unused <c>config.toml</c> section (the stack provisions at least
    /// two), with extra environment such as tags.
    /// </summary>
    private static async Task<IHost> StartExtraPropletAsync(PropellerTestEnvironment env, IReadOnlyDictionary<string, string> extra)
    {
        var section = Enumerable.Range(1, 8).Select(i => string.Create(CultureInfo.InvariantCulture, $"proplet{i}"))
            .Skip(env.Stack.PropletIds.Count)
            .First(s => ConfigToml.ReadSection(env.Stack.ConfigPath, s) is not null);
        var variables = new Dictionary<string, string>
        {
            ["PROPLET_CONFIG_FILE"] = env.Stack.ConfigPath,
            ["PROPLET_CONFIG_SECTION"] = section,
            ["PROPLET_MQTT_ADDRESS"] = string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{env.Stack.MqttPort}"),
            ["PROPLET_LOG_LEVEL"] = "debug",
            ["PROPLET_LIVELINESS_INTERVAL"] = "1",
            ["PROPLET_METRICS_ENABLED"] = "false",
            ["PROPLET_CACHE_DIR"] = Path.Combine(env.DataDir, "cache", section),
        };
        foreach (var (key, value) in extra)
        {
            variables[key] = value;
        }

        var host = PropletApp.Build(PropletOptions.FromEnvironment(variables.GetValueOrDefault), logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddFilter("MQTTnet", LogLevel.Warning);
            logging.AddProvider(env.Logs);
        });
        await host.StartAsync();
        return host;
    }
}
