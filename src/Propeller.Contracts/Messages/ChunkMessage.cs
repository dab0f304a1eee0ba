namespace Propeller.Contracts.Messages;

/// <summary><c>registry/server</c>: one base64 chunk of an artifact, keyed by <c>app_name</c>.</summary>
public sealed record ChunkMessage
{
    public string AppName { get; init; } = "";

    public int ChunkIdx { get; init; }

    public int TotalChunks { get; init; }

    public string Data { get; init; } = "";
}
