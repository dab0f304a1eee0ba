using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Hosting;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>
/// Moves a workflow on after one of its tasks finished (manager-reference §5.3, DECISIONS §4 Manager 9). A
/// readiness pass takes every task whose parents have all finished, starts it when its <c>run_if</c> holds and
/// marks it Skipped otherwise; because a skip can make the next level ready, passes repeat until one changes
/// nothing, so skips cascade down the whole graph at once.
/// </summary>
internal sealed partial class WorkflowCoordinator(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    TaskLocks locks,
    ShutdownGate shutdownGate,
    TimeProvider timeProvider,
    ILogger<WorkflowCoordinator> logger)
{
    /// <summary>Runs readiness passes over the workflow until nothing changes; start failures are logged, not thrown.</summary>
    public async Task AdvanceAsync(string workflowId, CancellationToken cancellationToken)
    {
        // Every round either finishes a task or stops, so the number of tasks bounds the rounds.
        var tasks = await store.Tasks.ListByWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
        for (var round = 0; round <= tasks.Count; round++)
        {
            if (round > 0)
            {
                tasks = await store.Tasks.ListByWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
            }

            if (!await PassAsync(workflowId, tasks, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>One pass; true when a task reached a final state, so another pass may find more work.</summary>
    private async Task<bool> PassAsync(string workflowId, IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        var byId = tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var finished = Dag.Finished(tasks);
        var changed = false;
        foreach (var task in Dag.ReadyTasks(tasks, finished))
        {
            if (task.State is TaskState.Running or TaskState.Scheduled)
            {
                continue;
            }

            var parentStates = (task.DependsOn ?? []).Select(p => byId[p].State).ToList();
            if (!RunIf.IsValid(task.RunIf))
            {
                Log.UnknownRunIf(logger, workflowId, task.Id, task.RunIf ?? "");
            }

            if (RunIf.Holds(task.RunIf, parentStates))
            {
                changed |= await TryStartAsync(workflowId, task, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                changed |= await SkipAsync(workflowId, task.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        return changed;
    }

    /// <summary>Starts a task the pass found ready; true when the failed start left it finished (Failed).</summary>
    private async Task<bool> TryStartAsync(string workflowId, PropellerTask task, CancellationToken cancellationToken)
    {
        if (shutdownGate.IsClosed)
        {
            return false;
        }

        try
        {
            await dispatcher.StartAsync(task.Id, cancellationToken).ConfigureAwait(false);
            Log.TaskStarted(logger, workflowId, task.Id);
            return false;
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            Log.StartFailed(logger, workflowId, task.Id, ex.Message);
            var now = await store.Tasks.GetAsync(task.Id, cancellationToken).ConfigureAwait(false);
            return now is not null && Dag.IsTerminal(now.State);
        }
    }

    /// <summary>Marks the task Skipped unless it moved on meanwhile (a client started it).</summary>
    private async Task<bool> SkipAsync(string workflowId, string taskId, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(taskId, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (task is null || Dag.IsTerminal(task.State) || task.State is TaskState.Running or TaskState.Scheduled)
        {
            return false;
        }

        var now = timeProvider.GetUtcNow();
        await store.Tasks.UpdateAsync(task with { State = TaskState.Skipped, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        Log.TaskSkipped(logger, workflowId, taskId, string.IsNullOrEmpty(task.RunIf) ? RunIf.Success : task.RunIf);
        return true;
    }
}
