using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Hosting;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Manager.Workflows;

namespace Propeller.Manager.Jobs;

/// <summary>
/// Moves a running job on as its tasks finish (manager-reference §3.4, §5.4). A failed task stops every running
/// task of the job. Otherwise a waiting task starts once all its parents have finished, and in sequential mode
/// the next waiting root starts when no other root is running, which is how sequential really waits for each
/// root to finish. Tasks that also belong to a workflow are left to the workflow's run_if rules.
/// </summary>
internal sealed partial class JobRunner(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    ShutdownGate shutdownGate,
    ManagerOptions options,
    ILogger<JobRunner> logger)
{
    /// <summary>The job's tasks in the order they were sent.</summary>
    public async Task<IReadOnlyList<PropellerTask>> TasksAsync(string jobId, CancellationToken cancellationToken) =>
        [.. (await store.Tasks.ListByJobAsync(jobId, cancellationToken).ConfigureAwait(false))
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];

    /// <summary>
    /// The job's mode: its record's (trimmed), else <c>JOB_EXECUTION_MODE</c>; the text, or null when neither is
    /// set. The text may be invalid when a record was written by another manager.
    /// </summary>
    public async Task<string?> ModeTextAsync(string jobId, CancellationToken cancellationToken)
    {
        var record = await store.Jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        var mode = record?.ExecutionMode.Trim();
        return string.IsNullOrEmpty(mode) ? options.JobExecutionMode?.Trim() : mode;
    }

    /// <summary>Called after a result of a job task was stored, or after a start was refused for unmet dependencies.</summary>
    public async Task AdvanceAsync(string jobId, string taskId, CancellationToken cancellationToken)
    {
        var tasks = await TasksAsync(jobId, cancellationToken).ConfigureAwait(false);
        var task = tasks.FirstOrDefault(t => string.Equals(t.Id, taskId, StringComparison.Ordinal));
        if (task?.State is TaskState.Failed)
        {
            Log.StoppingFailedJob(logger, jobId, taskId);
            await StopRunningAsync(jobId, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (tasks.Any(t => t.State is TaskState.Failed) || tasks.All(t => t.State is TaskState.Completed or TaskState.Skipped) || shutdownGate.IsClosed)
        {
            return;
        }

        var finished = Dag.Finished(tasks);
        foreach (var dependent in Dag.ReadyTasks(tasks, finished))
        {
            if (dependent is { State: TaskState.Pending, DependsOn.Count: > 0 } && string.IsNullOrEmpty(dependent.WorkflowId))
            {
                await TryStartAsync(jobId, dependent.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        if (task is { DependsOn: not { Count: > 0 } }
            && ExecutionModes.TryParse(await ModeTextAsync(jobId, cancellationToken).ConfigureAwait(false), out var mode)
            && mode == ExecutionMode.Sequential)
        {
            try
            {
                await StartNextRootAsync(jobId, await TasksAsync(jobId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
            {
                Log.StartFailed(logger, jobId, "(next root)", ex.Message);
            }
        }
    }

    /// <summary>Sequential mode: starts the first waiting root unless a root is still running.</summary>
    public async Task<string?> StartNextRootAsync(string jobId, IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var roots = tasks.Where(t => t.DependsOn is not { Count: > 0 }).ToList();
        if (roots.Any(t => t.State is TaskState.Running or TaskState.Scheduled)
            || roots.FirstOrDefault(t => t.State == TaskState.Pending) is not { } next)
        {
            return null;
        }

        await dispatcher.StartAsync(next.Id, cancellationToken).ConfigureAwait(false);
        Log.NextRootStarted(logger, jobId, next.Id);
        return next.Id;
    }

    /// <summary>Sends a stop for every Running or Scheduled task of the job; errors are only logged.</summary>
    public async Task StopRunningAsync(string jobId, CancellationToken cancellationToken)
    {
        foreach (var task in await store.Tasks.ListByJobAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            if (task.State is not (TaskState.Running or TaskState.Scheduled))
            {
                continue;
            }

            try
            {
                await dispatcher.StopAsync(task.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
            {
                Log.StopFailed(logger, jobId, task.Id, ex.Message);
            }
        }
    }

    private async Task TryStartAsync(string jobId, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            await dispatcher.StartAsync(taskId, cancellationToken).ConfigureAwait(false);
            Log.DependentStarted(logger, jobId, taskId);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            Log.StartFailed(logger, jobId, taskId, ex.Message);
        }
    }
}
