using Wasmtime;

namespace Propeller.Proplet.Runtimes.Limits;

/// <summary>
/// Tells whether a guest failure was most likely caused by the memory limit. Wasmtime does not report a refused
/// <c>memory.grow</c>: the guest just gets -1 and typically traps (an allocator's abort). So a failure counts as
/// the limit when an exported memory had already grown to within a tenth of the limit, or when instantiation
/// refused a memory whose minimum is larger than the limit.
/// </summary>
internal static class MemoryLimitCheck
{
    public static bool ReachedLimit(Instance instance, Module module, long maxMemoryBytes)
    {
        var margin = Math.Max(64 * 1024, maxMemoryBytes / 10);
        foreach (var export in module.Exports.OfType<MemoryExport>())
        {
            if (instance.GetMemory(export.Name) is { } memory && memory.GetLength() + margin > maxMemoryBytes)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an instantiation error is Wasmtime refusing an initial memory over the limit.</summary>
    public static bool IsInstantiationOverLimit(string error) =>
        error.Contains("exceeds memory limits", StringComparison.OrdinalIgnoreCase)
        || (error.Contains("memory", StringComparison.OrdinalIgnoreCase)
            && error.Contains("exceeds the limit", StringComparison.OrdinalIgnoreCase));
}
