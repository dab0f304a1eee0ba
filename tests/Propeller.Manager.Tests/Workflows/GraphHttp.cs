using System.Net;
using System.Text.Json.Nodes;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Tests.Messaging;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Workflows;

/// <summary>Helpers for workflow and job tests: create over HTTP, play the proplet's result, wait for states.</summary>
internal static class GraphHttp
{
    /// <summary>A → B, A → C, B + C → D with client labels.</summary>
    public const string Diamond = """
        {"tasks":[
          {"id":"a","name":"a"},
          {"id":"b","name":"b","depends_on":["a"]},
          {"id":"c","name":"c","depends_on":["a"]},
          {"id":"d","name":"d","depends_on":["b","c"]}]}
        """;

    public static async Task<JsonObject> CreateWorkflowAsync(this HttpClient http, string json) =>
        (await (await http.PostJsonAsync("workflows", json)).ReadJsonAsync(HttpStatusCode.Created)).AsObject();

    /// <summary>The stored ids in the order the tasks were sent.</summary>
    public static string[] Ids(JsonObject graph) =>
        [.. graph["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>())];

    public static Task SucceedAsync(this MqttProbe probe, string taskId, string results) =>
        probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Success(taskId, "probe-proplet", results));

    public static Task FailAsync(this MqttProbe probe, string taskId, string error) =>
        probe.PublishAsync(TopicSuffixes.PropletResults, RustPayloads.Failure(taskId, "probe-proplet", error));

    public static Task<JsonObject> WaitForStartAsync(this MqttProbe probe, string taskId) =>
        probe.WaitForAsync(TopicSuffixes.ManagerStart, m => m["id"]?.GetValue<string>() == taskId);

    public static async Task WaitForStateAsync(this ManagerTestHost host, string taskId, TaskState state) =>
        await Eventually.TrueAsync(async () => (await host.GetTaskAsync(taskId))?.State == state, $"task {taskId} to be {state}");

    public static int StartsOf(this MqttProbe probe, string taskId) =>
        probe.Messages(TopicSuffixes.ManagerStart).Count(m => m["id"]?.GetValue<string>() == taskId);
}
