using Propeller.Manager.Errors;

namespace Propeller.Manager.Jobs;

/// <summary>How <c>POST /jobs/{id}/start</c> starts the root tasks of a job (manager-reference §5.4).</summary>
internal enum ExecutionMode
{
    /// <summary>Every root at once.</summary>
    Parallel,

    /// <summary>One root at a time, in the order they were sent; the next starts when the previous one's result arrives.</summary>
    Sequential,

    /// <summary>The roots in topological order, each started right after the previous start.</summary>
    Configurable,
}

internal static class ExecutionModes
{
    public const string Allowed = "\"parallel\", \"sequential\", \"configurable\"";

    public static bool TryParse(string? text, out ExecutionMode mode)
    {
        switch (text?.Trim())
        {
            case "parallel":
                mode = ExecutionMode.Parallel;
                return true;
            case "sequential":
                mode = ExecutionMode.Sequential;
                return true;
            case "configurable":
                mode = ExecutionMode.Configurable;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>Empty is allowed (the start falls back to <c>JOB_EXECUTION_MODE</c>); anything unknown is a 400.</summary>
    public static string Normalize(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        return trimmed.Length == 0 || TryParse(trimmed, out _)
            ? trimmed
            : throw new InvalidRequestException($"invalid execution_mode \"{trimmed}\" (allowed: {Allowed})");
    }
}
