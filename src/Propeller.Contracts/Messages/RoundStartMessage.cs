using System.Text.Json;

namespace Propeller.Contracts.Messages;

/// <summary><c>fl/rounds/start</c>: the manager opens a federated-learning round (manager-reference §3.5).</summary>
public sealed record RoundStartMessage
{
    public string RoundId { get; init; } = "";

    public string ModelUri { get; init; } = "";

    public string TaskWasmImage { get; init; } = "";

    public IReadOnlyList<string> Participants { get; init; } = [];

    public JsonElement? Hyperparams { get; init; }
}
