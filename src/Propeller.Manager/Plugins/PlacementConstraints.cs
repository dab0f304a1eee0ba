using Propeller.Contracts.Api;

namespace Propeller.Manager.Plugins;

/// <summary>
/// What <c>on_before_proplet_select</c> hooks require of the proplet an auto-placed task goes to: every tag (the
/// union of all answers) and at least the largest memory minimum. A pinned task ignores them (manager-reference §2.4).
/// </summary>
internal sealed record PlacementConstraints(IReadOnlyList<string> RequiredTags, ulong MinMemoryBytes)
{
    public static readonly PlacementConstraints None = new([], 0);

    public bool IsEmpty => RequiredTags.Count == 0 && MinMemoryBytes == 0;

    /// <summary>
    /// The task's own requirements tightened by these constraints, for placement only (nothing is stored): tags
    /// are added, the memory minimum is the larger one.
    /// </summary>
    public TaskRequirements? AddTo(TaskRequirements? requirements)
    {
        if (IsEmpty)
        {
            return requirements;
        }

        var tags = new List<string>(requirements?.Tags ?? []);
        tags.AddRange(RequiredTags.Where(t => !tags.Contains(t, StringComparer.Ordinal)));
        return new TaskRequirements
        {
            Tags = tags,
            MinMemoryBytes = Math.Max(requirements?.MinMemoryBytes ?? 0, MinMemoryBytes),
            CpuArch = requirements?.CpuArch,
            WasmRuntime = requirements?.WasmRuntime,
        };
    }
}
