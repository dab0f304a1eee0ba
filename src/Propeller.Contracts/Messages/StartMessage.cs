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
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public int State { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageUrl { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? File { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(LenientStringListConverter))]
    public List<string>? Inputs { get; set; }

    /// <summary>Always written; null when unset, as the Go manager does.</summary>
    public List<string>? CliArgs { get; set; }

    public bool Broadcast { get; set; }

    public bool Daemon { get; set; }

    public bool Latent { get; set; }

    public bool Encrypted { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Env { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KbsResourcePath { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MonitoringProfile? MonitoringProfile { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? HalStoragePath { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PropletId { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, JsonElement>? ParentResults { get; set; }

    /// <summary>Ours: wall-clock limit of the task in milliseconds; absent uses the proplet's default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TimeoutMs { get; set; }
}
