using System.Text.Json;

namespace Propeller.Contracts.Messages;

/// <summary><c>fl/rounds/start</c>: the manager opens a federated-learning round (manager-reference §3.5).</summary>
public sealed record RoundStartMessage
{
    public string RoundId { get; set; } = "";

    public string ModelUri { get; set; } = "";

    public string TaskWasmImage { get; set; } = "";

    public IReadOnlyList<string> Participants { get; set; } = [];

    public JsonElement? Hyperparams { get; set; }
}
