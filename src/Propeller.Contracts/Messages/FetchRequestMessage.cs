using System.Text.Json.Serialization;

namespace Propeller.Contracts.Messages;

/// <summary><c>registry/proplet</c>: a proplet asks the proxy for an artifact.</summary>
public sealed record FetchRequestMessage
{
    public string AppName { get; set; } = "";

    /// <summary>
    /// Ours, additive: <c>sha256:&lt;hex&gt;</c> of the artifact this proplet already holds for <see cref="AppName"/>. When
    /// the reference still resolves to it the proxy answers on <c>registry/status</c> with <c>unchanged</c> instead of
    /// streaming the chunks again. The original proxy ignores it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; set; }
}
