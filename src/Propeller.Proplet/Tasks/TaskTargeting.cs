using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Tasks;

/// <summary>Which proplets run a start (proplet-reference §1.3.8).</summary>
internal static class TaskTargeting
{
    /// <summary>
    /// True unless the start names another proplet and is not a broadcast; a start naming no proplet runs everywhere.
    /// </summary>
    public static bool IsFor(StartMessage start, string propletId)
    {
        ArgumentNullException.ThrowIfNull(start);
        return IsFor(start.Broadcast, start.PropletId, propletId);
    }

    /// <summary>The same rule for an invoke (proplet-reference §1.3.10).</summary>
    public static bool IsFor(InvokeMessage invoke, string propletId)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        return IsFor(invoke.Broadcast, invoke.PropletId, propletId);
    }

    private static bool IsFor(bool broadcast, string? target, string propletId) =>
        broadcast || string.IsNullOrEmpty(target) || string.Equals(target, propletId, StringComparison.Ordinal);
}
