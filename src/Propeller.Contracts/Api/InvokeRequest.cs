using System.Text.Json.Serialization;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Api;

/// <summary>
/// The optional body of <c>POST /tasks/{id}/invoke</c>: arguments and environment for this one invocation of a
/// latent task. Inputs may be JSON strings or numbers (numbers keep their literal text).
/// </summary>
public sealed record InvokeRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(LenientStringListConverter))]
    public List<string>? Inputs { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Env { get; set; }
}
