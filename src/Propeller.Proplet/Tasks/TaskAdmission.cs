namespace Propeller.Proplet.Tasks;

/// <summary>What the running-task table answered to a start.</summary>
internal enum TaskAdmission
{
    /// <summary>Entered the table; the task may run.</summary>
    Admitted,

    /// <summary>A task with the same id is already running (proplet-reference §2.1 step 7).</summary>
    Duplicate,

    /// <summary>The proplet is shutting down and its tasks have been stopped.</summary>
    Closed,
}
