using Propeller.Contracts.Messages;

namespace Propeller.Manager.Jobs;

/// <summary>
/// The state of a group of tasks, a job or a workflow (manager-reference §5.4); it is derived, never stored.
/// Rules in order: no tasks → Pending; any Failed or Interrupted → Failed; any Running or Scheduled → Running;
/// all Completed or Skipped → Completed; anything else (e.g. Completed + Pending) → Pending.
/// </summary>
internal static class JobStateRules
{
    public static TaskState Compute(IReadOnlyCollection<TaskState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            return TaskState.Pending;
        }

        if (states.Any(s => s is TaskState.Failed or TaskState.Interrupted))
        {
            return TaskState.Failed;
        }

        if (states.Any(s => s is TaskState.Running or TaskState.Scheduled))
        {
            return TaskState.Running;
        }

        return states.All(s => s is TaskState.Completed or TaskState.Skipped) ? TaskState.Completed : TaskState.Pending;
    }
}
