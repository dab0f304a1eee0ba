using System.Text.Json;

namespace Propeller.Manager.Storage;

/// <summary>Task list filter: metadata labels that must all match.</summary>
internal sealed record TaskFilter(IReadOnlyDictionary<string, JsonElement>? Metadata = null)
{
    public static TaskFilter None { get; } = new();
}
