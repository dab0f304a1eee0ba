using System.Text.Json.Nodes;
using Propeller.Contracts.Topics;

namespace Propeller.Manager.Proplets;

/// <summary>
/// Describes a proplet in the One Data Model SDF format (manager-reference §3.6): its properties, the actions
/// the manager invokes on it, the events it emits, and the payload shapes, with the MQTT topic of each.
/// </summary>
internal static class PropletSdf
{
    public const string ThingName = "Proplet";

    private const string DataRef = "#/sdfThing/Proplet/sdfData/";

    public static JsonObject Describe(Proplet proplet, TopicBuilder topics)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        ArgumentNullException.ThrowIfNull(topics);
        return new JsonObject
        {
            ["info"] = new JsonObject
            {
                ["title"] = $"Propeller Proplet: {proplet.Name} ({proplet.Id})",
                ["version"] = "1.0",
                ["license"] = "Apache-2.0",
            },
            ["namespace"] = new JsonObject { ["propeller"] = "https://github.com/absmach/propeller" },
            ["defaultNamespace"] = "propeller",
            ["sdfThing"] = new JsonObject
            {
                [ThingName] = new JsonObject
                {
                    ["description"] = "A Propeller worker that runs WebAssembly tasks dispatched by the manager over MQTT",
                    ["sdfProperty"] = Properties(),
                    ["sdfAction"] = Actions(topics),
                    ["sdfEvent"] = Events(topics),
                    ["sdfData"] = Data(),
                },
            },
        };
    }

    private static JsonObject Properties() => new()
    {
        ["id"] = new JsonObject { ["description"] = "Proplet identifier (its MQTT client id)", ["type"] = "string", ["readable"] = true, ["writable"] = false },
        ["name"] = new JsonObject { ["description"] = "Human-readable name given by the manager", ["type"] = "string", ["readable"] = true, ["writable"] = false },
        ["alive"] = new JsonObject { ["description"] = "True when the last heartbeat is at most 10 s old", ["type"] = "boolean", ["readable"] = true, ["writable"] = false, ["observable"] = true },
        ["task_count"] = new JsonObject { ["description"] = "Tasks currently dispatched to this proplet", ["type"] = "integer", ["minimum"] = 0, ["readable"] = true, ["writable"] = false, ["observable"] = true },
        ["metadata"] = new JsonObject { ["description"] = "What the proplet reported about its host", ["sdfRef"] = DataRef + "PropletMetadata" },
    };

    private static JsonObject Actions(TopicBuilder topics) => new()
    {
        ["start_task"] = new JsonObject
        {
            ["description"] = $"Start a task; published on {topics.ManagerStart}",
            ["sdfInputData"] = new JsonObject { ["sdfRef"] = DataRef + "TaskDispatch" },
        },
        ["stop_task"] = new JsonObject
        {
            ["description"] = $"Stop a task; published on {topics.ManagerStop}",
            ["sdfInputData"] = new JsonObject { ["sdfRef"] = DataRef + "TaskStop" },
        },
    };

    private static JsonObject Events(TopicBuilder topics) => new()
    {
        ["heartbeat"] = new JsonObject
        {
            ["description"] = $"Liveness signal; published on {topics.PropletAlive}",
            ["sdfOutputData"] = new JsonObject { ["sdfRef"] = DataRef + "HeartbeatPayload" },
        },
        ["task_result"] = new JsonObject
        {
            ["description"] = $"Outcome of a task; published on {topics.PropletResults}",
            ["sdfOutputData"] = new JsonObject { ["sdfRef"] = DataRef + "TaskResult" },
        },
    };

    private static JsonObject Data() => new()
    {
        ["PropletMetadata"] = Object(null, new JsonObject
        {
            ["description"] = Text(),
            ["tags"] = new JsonObject { ["type"] = "array", ["items"] = Text() },
            ["location"] = Text(),
            ["ip"] = Text(),
            ["environment"] = Text(),
            ["os"] = Text(),
            ["hostname"] = Text(),
            ["cpu_arch"] = Text(),
            ["total_memory_bytes"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
            ["proplet_version"] = Text(),
            ["wasm_runtime"] = Text(),
        }),
        ["TaskDispatch"] = Object(["id", "name"], new JsonObject
        {
            ["id"] = Text(),
            ["name"] = new JsonObject { ["type"] = "string", ["description"] = "Task name and the exported function to call" },
            ["image_url"] = Text(),
            ["file"] = new JsonObject { ["type"] = "string", ["description"] = "The Wasm binary, base64" },
            ["inputs"] = new JsonObject { ["type"] = "array", ["items"] = Text() },
            ["cli_args"] = new JsonObject { ["type"] = "array", ["items"] = Text() },
            ["env"] = new JsonObject { ["type"] = "object" },
            ["daemon"] = Flag(),
            ["latent"] = Flag(),
            ["encrypted"] = Flag(),
            ["broadcast"] = Flag(),
            ["proplet_id"] = Text(),
        }),
        ["TaskStop"] = Object(["id"], new JsonObject
        {
            ["id"] = Text(),
            ["broadcast"] = Flag(),
            ["proplet_id"] = Text(),
        }),
        ["HeartbeatPayload"] = Object(["proplet_id"], new JsonObject
        {
            ["proplet_id"] = Text(),
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("alive", "offline") },
            ["namespace"] = Text(),
        }),
        ["TaskResult"] = Object(["task_id"], new JsonObject
        {
            ["task_id"] = Text(),
            ["proplet_id"] = Text(),
            ["results"] = new JsonObject { ["description"] = "The task's output (a string, or an object for federated-learning tasks)" },
            ["error"] = new JsonObject { ["type"] = "string", ["nullable"] = true },
            ["state"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Completed", "Failed", "Skipped", "Interrupted") },
        }),
    };

    private static JsonObject Object(string[]? required, JsonObject properties)
    {
        var schema = new JsonObject { ["type"] = "object" };
        if (required is not null)
        {
            schema["required"] = new JsonArray([.. required.Select(r => (JsonNode?)JsonValue.Create(r))]);
        }

        schema["properties"] = properties;
        return schema;
    }

    private static JsonObject Text() => new() { ["type"] = "string" };

    private static JsonObject Flag() => new() { ["type"] = "boolean" };
}
