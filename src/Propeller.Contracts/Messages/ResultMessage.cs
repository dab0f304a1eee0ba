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

    /// <summary>
    /// Ours, additive: true when a proplet sends a recent result again because a (re)started manager asked its
    /// proplets to announce themselves; a result published while no manager was connected is not lost that way.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Replayed { get; set; }

    /// <summary>Ours, additive, only on replayed results: when the task finished on the proplet.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? FinishedAt { get; set; }
}
