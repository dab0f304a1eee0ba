using System.Text.Json.Serialization;

namespace Propeller.Manager.Plugins;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskRequest))]
[JsonSerializable(typeof(DispatchRequest))]
[JsonSerializable(typeof(TaskStartEvent))]
[JsonSerializable(typeof(TaskCompleteEvent))]
[JsonSerializable(typeof(AuthorizeResponse))]
[JsonSerializable(typeof(EnrichResponse))]
[JsonSerializable(typeof(SelectResponse))]
[JsonSerializable(typeof(DispatchResponse))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;
