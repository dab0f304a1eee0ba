using System.Collections.Concurrent;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// The running-task table (proplet-reference §2.1 step 7, §2.6) and every execution still in flight. A daemon task
/// leaves the table once its immediate result is out, so its id may be started again, but stays stoppable until it
/// ends.
/// </summary>
internal sealed class RunningTaskTable(PropletMetrics metrics)
{
    private readonly ConcurrentDictionary<string, TaskExecution> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TaskExecution, byte> _inFlight = new();

    // Orders admissions against StopAll, so no task can slip in after shutdown stopped everything.
    private readonly Lock _admission = new();
    private bool _closed;

    /// <summary>Tasks in the running table.</summary>
    public int Count => _running.Count;

    /// <summary>Executions not yet ended, released daemons included.</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>
    /// Enters <paramref name="execution"/> unless a task with its id is already running or <see cref="StopAll"/>
    /// has closed the table.
    /// </summary>
    public TaskAdmission Admit(TaskExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        lock (_admission)
        {
            if (_closed)
            {
                return TaskAdmission.Closed;
            }

            if (!_running.TryAdd(execution.TaskId, execution))
            {
                return TaskAdmission.Duplicate;
            }

            _inFlight.TryAdd(execution, 0);
        }

        metrics.TaskStarted();
        return TaskAdmission.Admitted;
    }

    /// <summary>Removes <paramref name="execution"/> from the running table; it stays in flight.</summary>
    public void Release(TaskExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (_running.TryRemove(KeyValuePair.Create(execution.TaskId, execution)))
        {
            metrics.TaskLeftRunningTable();
        }
    }

    /// <summary>Forgets <paramref name="execution"/> entirely once it has ended.</summary>
    public void Finish(TaskExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        Release(execution);
        _inFlight.TryRemove(execution, out _);
        execution.MarkFinished();
        execution.Dispose();
    }

    /// <summary>Stops every execution of <paramref name="taskId"/> and clears its table entry; false if none exists.</summary>
    public bool Stop(string taskId)
    {
        var found = false;
        foreach (var execution in _inFlight.Keys.Where(e => string.Equals(e.TaskId, taskId, StringComparison.Ordinal)))
        {
            found = true;
            execution.Stop();
            Release(execution);
        }

        return found;
    }

    /// <summary>Closes the table to new tasks, stops everything in flight and returns when each has finished.</summary>
    public Task StopAll()
    {
        List<TaskExecution> executions;
        lock (_admission)
        {
            _closed = true;
            executions = [.. _inFlight.Keys];
        }

        foreach (var execution in executions)
        {
            execution.Stop();
        }

        return Task.WhenAll(executions.Select(e => e.Finished));
    }
}
