using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Cli;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Hosting;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>
/// <c>propeller tasks invoke</c> against a live manager on Mosquitto, with a fake proplet that answers invokes
/// as the Rust proplet does (our proplet does not run latent tasks yet).
/// </summary>
public sealed class TaskInvokeCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TasksInvoke_InputsAndEnv_PrintsThePropletResultsRawOrAsJson()
    {

        await using var mosquitto = await MosquittoProcess.StartAsync();
        var topics = new TopicBuilder("tenant", "channel-" + Guid.NewGuid().ToString("N"));
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        await using var manager = ManagerApp.Build(
            new ManagerOptions
            {
                Credentials = new EntityCredentials(topics.TenantId, topics.ChannelId, Guid.NewGuid().ToString(), "key"),
                MqttAddress = mosquitto.Address,
                HttpHost = "127.0.0.1",
                HttpPort = 0,
                InsecureNoAuth = true,
                StorageType = "memory",
            },
            b => b.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFilter("Microsoft", LogLevel.Warning).AddProvider(logs));
        // What reaches the manager: the CLI must leave the body out when there are no inputs and no env.
        var bodyLengths = new ConcurrentQueue<long>();
        manager.Use(async (context, next) =>
        {
            if (context.Request.Path.Value?.EndsWith("/invoke", StringComparison.Ordinal) == true)
            {
                bodyLengths.Enqueue(context.Request.ContentLength ?? 0);
            }

            await next(context);
        });
        await manager.StartAsync();
        var url = ManagerApp.BaseAddress(manager).ToString();

        var propletId = Guid.NewGuid().ToString();
        var invokes = new ConcurrentQueue<JsonObject>();
        await using var proplet = new PropellerMqttClient(
            new MqttConnectionOptions { Address = mosquitto.Address, ClientId = propletId, Username = propletId, Password = "unused" },
            NullLogger<PropellerMqttClient>.Instance);
        await proplet.StartAsync(waitForConnection: true, CancellationToken.None);
        await proplet.SubscribeAsync(topics.ManagerInvoke, async (_, payload, ct) =>
        {
            var invoke = JsonNode.Parse(Encoding.UTF8.GetString(payload.Span))!.AsObject();
            invokes.Enqueue(invoke);
            var input = invoke["inputs"]?.AsArray().FirstOrDefault()?.GetValue<string>();
            var greeting = invoke["env"]?["GREETING"]?.GetValue<string>();
            var reply = new JsonObject
            {
                ["task_id"] = invoke["id"]!.GetValue<string>(),
                ["invocation_id"] = invoke["invocation_id"]!.GetValue<string>(),
                ["proplet_id"] = propletId,
                ["results"] = input is null ? "" : $"{greeting ?? "hello"}, {input}",
                ["error"] = input is null ? "missing argument 'name'" : null,
            };
            await proplet.PublishAsync(topics.PropletInvokeResults, Encoding.UTF8.GetBytes(reply.ToJsonString()), ct);
        }, CancellationToken.None);
        await proplet.PublishAsync(topics.PropletAlive, Encoding.UTF8.GetBytes($$"""{"proplet_id":"{{propletId}}","status":"alive","namespace":"default"}"""), CancellationToken.None);
        await Eventually.TrueAsync(async () => (await RunAsync("proplets", "view", propletId, "--manager-url", url)).Exit == 0, "the proplet to be known");

        var (exit, text, error) = await RunAsync("tasks", "create", "greet", "--latent", "--file", RepoPaths.Example("add", "add.wat"), "--manager-url", url, "--json");
        Assert.True(exit == 0, error);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(0, (await RunAsync("tasks", "start", id, "--manager-url", url)).Exit);

        var raw = await RunAsync("tasks", "invoke", id, "\"world\"", "--env", "GREETING=hola", "--manager-url", url);
        Assert.True(raw.Exit == 0, raw.Error);
        Assert.Equal("hola, \"world\"", raw.Output.TrimEnd('\n', '\r'));

        var json = await RunAsync("tasks", "invoke", id, "7", "--manager-url", url, "--json");
        Assert.True(json.Exit == 0, json.Error);
        Assert.Equal("hello, 7", JsonDocument.Parse(json.Output).RootElement.GetString());

        var failed = await RunAsync("tasks", "invoke", id, "--manager-url", url);
        Assert.Equal(1, failed.Exit);
        Assert.Contains("missing argument 'name' (HTTP 502)", failed.Error, StringComparison.Ordinal);

        Assert.Equal([true, true, false], bodyLengths.Select(length => length > 0));
        var sent = invokes.ToArray();
        Assert.Equal(3, sent.Length);
        Assert.Equal(["\"world\""], sent[0]["inputs"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal("hola", sent[0]["env"]!["GREETING"]!.GetValue<string>());
        Assert.False(sent[1].ContainsKey("env"));
        Assert.Null(sent[2]["inputs"]);
        Assert.False(sent[2].ContainsKey("env"));

        await manager.StopAsync();
        logs.AssertNoUnexpectedErrors();
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
