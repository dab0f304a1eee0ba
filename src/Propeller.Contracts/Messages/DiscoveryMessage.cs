using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/create</c>: a proplet announces itself (proplet-reference §1.3.1).</summary>
public sealed record DiscoveryMessage
{
    public string PropletId { get; set; } = "";

    public string? Namespace { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PropletMetadata? Metadata { get; set; }
}
