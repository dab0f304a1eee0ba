using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary>
/// <c>control/manager/stop</c>. Shutdown and recovery stops carry no <c>broadcast</c> key (manager-reference §3.5).
/// </summary>
public sealed record StopMessage
{
    public string Id { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Broadcast { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PropletId { get; set; }
}
