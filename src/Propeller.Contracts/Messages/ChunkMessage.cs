namespace Propeller.Contracts.Messages;

/// <summary><c>registry/server</c>: one base64 chunk of an artifact, keyed by <c>app_name</c>.</summary>
public sealed record ChunkMessage
{
    public string AppName { get; set; } = "";

    public int ChunkIdx { get; set; }

    public int TotalChunks { get; set; }

    public string Data { get; set; } = "";
}
