namespace Propeller.Contracts.Messages;

/// <summary>Task state, an integer on the wire (manager-reference §2.2).</summary>
public enum TaskState
{
    Pending = 0,
    Scheduled = 1,
    Running = 2,
    Completed = 3,
    Failed = 4,
    Skipped = 5,
    Interrupted = 6,
}
