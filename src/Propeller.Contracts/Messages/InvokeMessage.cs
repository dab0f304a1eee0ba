using System.Text.Json.Serialization;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary><c>control/manager/invoke</c>: run a precompiled latent task once (proplet-reference §1.3.10).</summary>
public sealed record InvokeMessage
{
    public string Id { get; set; } = "";

    public bool Broadcast { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PropletId { get; set; }

    public string? InvocationId { get; set; }

    [JsonConverter(typeof(LenientStringListConverter))]
    public List<string>? Inputs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Env { get; set; }
}
