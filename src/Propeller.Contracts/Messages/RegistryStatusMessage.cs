using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary>
/// Ours, additive: <c>registry/status</c>, the proxy's answer to a fetch request that is not a stream of chunks.
/// With <see cref="Error"/> set the fetch failed and every proplet waiting on <see cref="AppName"/> fails its task at
/// once with that text. With <see cref="Unchanged"/> the reference still resolves to <see cref="Digest"/>, so a proplet
/// holding that artifact in its cache uses it. Original proplets do not subscribe to this topic.
/// </summary>
public sealed record RegistryStatusMessage
{
    public string AppName { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Unchanged { get; set; }
}
