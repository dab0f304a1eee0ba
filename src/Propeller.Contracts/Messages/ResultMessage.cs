using System.Text.Json;
using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary>
/// <c>control/proplet/results</c> (proplet-reference §1.3.6). <c>results</c> is usually a string but any JSON is
/// accepted (federated-learning results are objects and carry no top-level <c>proplet_id</c>).
/// </summary>
public sealed record ResultMessage
{
    public string TaskId { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PropletId { get; set; }

    public JsonElement? Results { get; set; }

    public string? Error { get; set; }
}
