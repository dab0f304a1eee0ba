using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Matches a task's <c>requirements</c> against a proplet's discovery metadata. Tags are compared exactly (as the
/// original's plugin-required tags); <c>cpu_arch</c> and <c>wasm_runtime</c> ignore case, and the usual spellings
/// of one architecture are equal (<c>x86_64</c>/<c>amd64</c>/<c>x64</c>, <c>aarch64</c>/<c>arm64</c>).
/// A proplet that reported no metadata meets only empty requirements.
/// </summary>
internal static class PlacementRules
{
    public static bool IsEmpty(TaskRequirements? requirements) =>
        requirements is null
        || (requirements.Tags is not { Count: > 0 } && requirements.MinMemoryBytes == 0
            && string.IsNullOrEmpty(requirements.CpuArch) && string.IsNullOrEmpty(requirements.WasmRuntime));

    /// <summary>What <paramref name="proplet"/> lacks, each as a short phrase; empty when it fits.</summary>
    public static IReadOnlyList<string> Unmet(TaskRequirements? requirements, Proplet proplet)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        if (IsEmpty(requirements))
        {
            return [];
        }

        var metadata = proplet.Metadata ?? new PropletMetadata();
        var unmet = new List<string>();
        var missingTags = (requirements!.Tags ?? []).Where(t => metadata.Tags?.Contains(t, StringComparer.Ordinal) != true).Distinct(StringComparer.Ordinal).ToList();
        if (missingTags.Count > 0)
        {
            unmet.Add($"tags [{string.Join(", ", missingTags)}]");
        }

        if (requirements.MinMemoryBytes > 0 && metadata.TotalMemoryBytes < requirements.MinMemoryBytes)
        {
            unmet.Add($"min_memory_bytes {requirements.MinMemoryBytes}");
        }

        if (!string.IsNullOrEmpty(requirements.CpuArch) && !SameArch(requirements.CpuArch, metadata.CpuArch))
        {
            unmet.Add($"cpu_arch {requirements.CpuArch}");
        }

        if (!string.IsNullOrEmpty(requirements.WasmRuntime)
            && !string.Equals(requirements.WasmRuntime, metadata.WasmRuntime, StringComparison.OrdinalIgnoreCase))
        {
            unmet.Add($"wasm_runtime {requirements.WasmRuntime}");
        }

        return unmet;
    }

    /// <summary>Every requirement set, as the phrases <see cref="Unmet"/> uses.</summary>
    public static string Describe(TaskRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var parts = new List<string>();
        if (requirements.Tags is { Count: > 0 } tags)
        {
            parts.Add($"tags [{string.Join(", ", tags.Distinct(StringComparer.Ordinal))}]");
        }

        if (requirements.MinMemoryBytes > 0)
        {
            parts.Add($"min_memory_bytes {requirements.MinMemoryBytes}");
        }

        if (!string.IsNullOrEmpty(requirements.CpuArch))
        {
            parts.Add($"cpu_arch {requirements.CpuArch}");
        }

        if (!string.IsNullOrEmpty(requirements.WasmRuntime))
        {
            parts.Add($"wasm_runtime {requirements.WasmRuntime}");
        }

        return string.Join(", ", parts);
    }

    private static bool SameArch(string wanted, string? actual) =>
        !string.IsNullOrEmpty(actual) && string.Equals(CanonicalArch(wanted), CanonicalArch(actual), StringComparison.Ordinal);

    private static string CanonicalArch(string arch) => arch.Trim().ToLowerInvariant() switch
    {
        "x86_64" or "amd64" or "x64" => "x86_64",
        "aarch64" or "arm64" => "aarch64",
        "x86" or "i386" or "i686" => "x86",
        var other => other,
    };
}
