using System.Text.Json;
using System.Text.Json.Serialization;
using Propeller.Contracts.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary>
/// <c>control/manager/start</c> (manager-reference §2.7, proplet-reference §1.3.8). <c>file</c> stays base64 text
/// so that a bad encoding fails only the task, not the decoding of the whole message.
/// </summary>
public sealed record StartMessage
{
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public int State { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? File { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(LenientStringListConverter))]
    public List<string>? Inputs { get; init; }

    /// <summary>Always written; null when unset, as the Go manager does.</summary>
    public List<string>? CliArgs { get; init; }

    public bool Broadcast { get; init; }

    public bool Daemon { get; init; }

    public bool Latent { get; init; }

    public bool Encrypted { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Env { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KbsResourcePath { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MonitoringProfile? MonitoringProfile { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HalStoragePath { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PropletId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, JsonElement>? ParentResults { get; init; }
}
