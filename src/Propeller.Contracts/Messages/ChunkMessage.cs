using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary><c>registry/server</c>: one base64 chunk of an artifact, keyed by <c>app_name</c>.</summary>
public sealed record ChunkMessage
{
    public string AppName { get; set; } = "";

    public int ChunkIdx { get; set; }

    public int TotalChunks { get; set; }

    public string Data { get; set; } = "";

    /// <summary>
    /// Ours, additive: <c>sha256:&lt;hex&gt;</c> of the whole artifact, so the proplet can verify what it assembled and
    /// keep it in its content-addressed cache. Absent from the original proxy's chunks.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; set; }
}
