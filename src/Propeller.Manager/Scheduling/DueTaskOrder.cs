using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// The original's "priority scheduler" (manager-reference §4.2): due cron tasks start by priority, highest first
/// (0 counts as the default 50), then oldest first.
/// </summary>
internal static class DueTaskOrder
{
    public static int EffectivePriority(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Priority == 0 ? TaskService.DefaultPriority : task.Priority;
    }

    public static IReadOnlyList<PropellerTask> Sort(IEnumerable<PropellerTask> tasks) =>
        tasks.OrderByDescending(EffectivePriority)
            .ThenBy(t => t.CreatedAt.UtcTicks)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether the cron scheduler should start <paramref name="task"/> at <paramref name="now"/>.</summary>
    public static bool IsDue(PropellerTask task, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(task);
        return !string.IsNullOrEmpty(task.Schedule) && task.NextRun != DateTimeOffset.MinValue && task.NextRun <= now;
    }
}
