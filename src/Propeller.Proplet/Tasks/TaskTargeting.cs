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
        return start.Broadcast || string.IsNullOrEmpty(start.PropletId) || string.Equals(start.PropletId, propletId, StringComparison.Ordinal);
    }
}
