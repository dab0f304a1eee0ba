using System.Text.Json;

namespace Propeller.Manager.Tasks;

/// <summary>
/// The fields <c>PUT /tasks/{id}</c> may change (manager-reference §2.5); null means "leave as stored".
/// <see cref="Schedule"/> <c>""</c> clears the schedule (DECISIONS §4 Manager 6).
/// </summary>
internal sealed record TaskUpdate
{
    public string? Name { get; init; }

    public IReadOnlyList<string>? Inputs { get; init; }

    public byte[]? File { get; init; }

    /// <summary>0 leaves the priority unchanged.</summary>
    public int Priority { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Metadata { get; init; }

    public string? Schedule { get; init; }

    public bool IsRecurring { get; init; }

    public string? Timezone { get; init; }
}
