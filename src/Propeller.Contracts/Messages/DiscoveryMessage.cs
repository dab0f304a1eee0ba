using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/create</c>: a proplet announces itself (proplet-reference §1.3.1).</summary>
public sealed record DiscoveryMessage
{
    public string PropletId { get; set; } = "";

    public string? Namespace { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PropletMetadata? Metadata { get; set; }

    /// <summary>
    /// Ours, additive: the proplet also listens on its own <c>control/manager/start/{id}</c> and
    /// <c>control/manager/stop/{id}</c>, so a command for it alone need not reach every proplet of the channel.
    /// Absent (an original proplet) means false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool DirectControl { get; set; }
}
