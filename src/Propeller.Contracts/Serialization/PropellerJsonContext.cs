using System.Text.Json;
using System.Text.Json.Serialization;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Serialization;

/// <summary>
/// Source-generated JSON for every wire type: snake_case names, numbers also read from strings,
/// unknown fields ignored, timestamps in either the RFC 3339 or the Rust object form.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(FlexibleTimestampConverter)])]
[JsonSerializable(typeof(DiscoveryMessage))]
[JsonSerializable(typeof(HeartbeatMessage))]
[JsonSerializable(typeof(PropletMetricsMessage))]
[JsonSerializable(typeof(TaskMetricsMessage))]
[JsonSerializable(typeof(ResultMessage))]
[JsonSerializable(typeof(InvokeResultMessage))]
[JsonSerializable(typeof(StartMessage))]
[JsonSerializable(typeof(StopMessage))]
[JsonSerializable(typeof(InvokeMessage))]
[JsonSerializable(typeof(DiscoverRequestMessage))]
[JsonSerializable(typeof(FetchRequestMessage))]
[JsonSerializable(typeof(ChunkMessage))]
[JsonSerializable(typeof(RegistryStatusMessage))]
[JsonSerializable(typeof(RoundStartMessage))]
[JsonSerializable(typeof(TaskDto))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(PropletView))]
[JsonSerializable(typeof(PropletPage))]
[JsonSerializable(typeof(AliveHistoryPage))]
[JsonSerializable(typeof(TaskMetricsPage))]
[JsonSerializable(typeof(PropletMetricsPage))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(StartedResponse))]
[JsonSerializable(typeof(StoppedResponse))]
[JsonSerializable(typeof(TaskResultsResponse))]
[JsonSerializable(typeof(InvokeRequest))]
[JsonSerializable(typeof(InvokeResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(WorkflowRequest))]
[JsonSerializable(typeof(List<TaskDto>))]
[JsonSerializable(typeof(WorkflowDto))]
[JsonSerializable(typeof(WorkflowStartedResponse))]
[JsonSerializable(typeof(JobRequest))]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(JobPage))]
[JsonSerializable(typeof(JobActionResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class PropellerJsonContext : JsonSerializerContext;
