using Propeller.Contracts.Messages;
using Propeller.Manager.Jobs;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Storage.Memory;

/// <summary>
/// Everything a <see cref="MemoryStore"/> holds, behind one lock so that cascades and read-modify-write
/// operations are atomic, as they are in SQL.
/// </summary>
internal sealed class MemoryState
{
    public Lock Gate { get; } = new();

    public Dictionary<string, PropellerTask> Tasks { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Proplet> Proplets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JobRecord> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Task id → proplet id.</summary>
    public Dictionary<string, string> TaskProplets { get; } = new(StringComparer.Ordinal);

    /// <summary>Task id → sample id → sample.</summary>
    public Dictionary<string, Dictionary<string, TaskMetricsMessage>> TaskMetrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Proplet id → sample id → sample.</summary>
    public Dictionary<string, Dictionary<string, PropletMetricsMessage>> PropletMetrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Removes a task with its mapping and metrics (the SQL cascade). Call under <see cref="Gate"/>.</summary>
    public bool RemoveTask(string id)
    {
        if (!Tasks.Remove(id))
        {
            return false;
        }

        TaskProplets.Remove(id);
        TaskMetrics.Remove(id);
        return true;
    }

    /// <summary>Removes a proplet with the mappings to it and its metrics. Call under <see cref="Gate"/>.</summary>
    public bool RemoveProplet(string id)
    {
        if (!Proplets.Remove(id))
        {
            return false;
        }

        foreach (var taskId in TaskProplets.Where(m => m.Value == id).Select(m => m.Key).ToList())
        {
            TaskProplets.Remove(taskId);
        }

        PropletMetrics.Remove(id);
        return true;
    }
}
