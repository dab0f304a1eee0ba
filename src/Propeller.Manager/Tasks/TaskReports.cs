using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>What proplets report about tasks: results (manager-reference §3.4) and task metrics (§3.3).</summary>
internal sealed partial class TaskReports(IPropellerStore store, TaskLocks locks, TimeProvider timeProvider, ILogger<TaskReports> logger, Workflows.TaskSignals? signals = null, Plugins.PluginHost? plugins = null)
{
    /// <summary>
    /// Records a result: Completed, or Failed when <c>error</c> is non-empty. The proplet's task count goes down
    /// once per run (DECISIONS §4 Manager 2); the mapping is kept so re-runs and invokes find the proplet.
    /// Throws <see cref="EntityNotFoundException"/> for an unknown task.
    /// </summary>
    public async Task<PropellerTask> RecordResultAsync(ResultMessage result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var held = await locks.AcquireAsync(result.TaskId, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(result.TaskId, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"task {result.TaskId} not found");
        if (result.Replayed && !await IsMissedResultAsync(task, result, cancellationToken).ConfigureAwait(false))
        {
            Log.ReplayedResultIgnored(logger, task.Id, task.State, result.PropletId ?? "");
            return task;
        }

        var failed = !string.IsNullOrEmpty(result.Error);
        var now = timeProvider.GetUtcNow();
        var finished = task with
        {
            Results = result.Results,
            State = failed ? TaskState.Failed : TaskState.Completed,
            Error = failed ? result.Error : null,
            FinishTime = now,
            UpdatedAt = now,
        };
        await store.Tasks.UpdateAsync(finished, cancellationToken).ConfigureAwait(false);

        if (!task.Broadcast && TaskDispatcher.HoldsPropletSlot(task.State)
            && await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false) is { } propletId)
        {
            try
            {
                await store.Proplets.AdjustTaskCountAsync(propletId, -1, cancellationToken).ConfigureAwait(false);
            }
            catch (EntityNotFoundException)
            {
                // The proplet was deleted while the task ran.
            }
        }

        Log.ResultRecorded(logger, task.Id, finished.State, result.PropletId ?? "");
        plugins?.NotifyTaskComplete(finished);

        // After the result is stored: the task's workflow or job moves on (readiness pass, job runner).
        signals?.Publish(Workflows.TaskSignalKind.Finished, finished);
        return finished;
    }

    /// <summary>
    /// A replayed result (a proplet answering a restarted manager's discover request) counts only when it is the one
    /// this manager missed: the task is still Running on that proplet, and the result came after this run started.
    /// Anything else is an old run's result already recorded, or one of a run that has since been started again.
    /// </summary>
    private async Task<bool> IsMissedResultAsync(PropellerTask task, ResultMessage result, CancellationToken cancellationToken)
    {
        if (task.State != TaskState.Running || task.Broadcast || result.FinishedAt is not { } finishedAt || finishedAt < task.StartTime)
        {
            return false;
        }

        var mapped = await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false) ?? task.PropletId;
        return string.Equals(mapped, result.PropletId, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stores a task metrics sample; a missing timestamp becomes the receive time, a null part an empty one. Throws
    /// <see cref="EntityNotFoundException"/> for an unknown task.
    /// </summary>
    public Task RecordMetricsAsync(TaskMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        // An explicit JSON null leaves a null in a non-nullable field; the SQL columns refuse it, so it is stored
        // as what it means: no proplet named, no values measured.
        var sample = metrics with
        {
            PropletId = metrics.PropletId ?? "",
            Metrics = metrics.Metrics ?? new ProcessMetrics(),
            Timestamp = metrics.Timestamp == DateTimeOffset.MinValue ? timeProvider.GetUtcNow() : metrics.Timestamp,
        };
        return store.Metrics.AddTaskMetricsAsync(sample, cancellationToken);
    }
}
