using System.Text.Json;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Messaging;
using Propeller.Manager.Plugins;
using Propeller.Manager.Proplets;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>
/// Starting and stopping tasks on proplets (manager-reference §2.3, §2.4, §4.3). A start records the task as
/// Running, with its mapping and the proplet's task count, before the message goes out, so a result that comes
/// back at once always finds the task in its final started form.
/// </summary>
internal sealed partial class TaskDispatcher(
    IPropellerStore store,
    TaskMessagePublisher publisher,
    PropletPlacement placement,
    ShutdownGate shutdownGate,
    TaskLocks locks,
    TimeProvider timeProvider,
    PluginHost plugins,
    ILogger<TaskDispatcher> logger,
    Workflows.TaskSignals? signals = null)
{
    /// <summary>Whether a task in this state holds a slot in its proplet's task_count.</summary>
    public static bool HoldsPropletSlot(TaskState state) => state is TaskState.Running or TaskState.Interrupted;

    public Task<PropellerTask> StartAsync(string id, CancellationToken cancellationToken) =>
        StartAsync(id, null, cancellationToken);

    /// <summary>
    /// Starts the task; with <paramref name="replacement"/> it is a re-placement after its proplet went offline
    /// (<see cref="PropletLossHandler"/>): the pin is ignored, the lost proplet avoided, and the attempt recorded.
    /// </summary>
    public async Task<PropellerTask> StartAsync(string id, TaskReplacement? replacement, CancellationToken cancellationToken)
    {
        shutdownGate.ThrowIfClosed();
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"task {id} not found");
        await plugins.AuthorizeAsync(PluginActions.Start, task, cancellationToken).ConfigureAwait(false);
        await RefuseIfAlreadyRunningAsync(task, cancellationToken).ConfigureAwait(false);
        var parentResults = await CheckDependenciesAsync(task, cancellationToken).ConfigureAwait(false);
        if (replacement is not null && task.State != TaskState.Scheduled)
        {
            throw new EntityConflictException($"task {task.Id} is no longer waiting to be re-placed (it is {task.State})");
        }

        task = task with { Attempt = replacement?.Attempt ?? 1 };
        if (task.Broadcast)
        {
            return plugins.NotifiedStart(await StartBroadcastAsync(task, parentResults).ConfigureAwait(false));
        }

        // Plugins: their placement constraints (ignored for a pinned task), then the dispatch check and extra env.
        var constraints = await plugins.BeforePropletSelectAsync(task, cancellationToken).ConfigureAwait(false);
        var placed = string.IsNullOrEmpty(task.PropletId) || replacement is not null ? task with { Requirements = constraints.AddTo(task.Requirements) } : task;
        var proplet = await ChoosePropletAsync(placed, replacement?.LostPropletId, cancellationToken).ConfigureAwait(false);
        task = await plugins.BeforeDispatchAsync(task, proplet, cancellationToken).ConfigureAwait(false);

        // From here on the work is not abandoned halfway because a caller went away.
        return plugins.NotifiedStart(await StartOnPropletAsync(task, proplet, parentResults).ConfigureAwait(false));
    }

    /// <summary>
    /// Sends a stop and releases the task's proplet. The state does not change: only the proplet's result does
    /// that (manager-reference §2.3).
    /// </summary>
    public async Task StopAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"task {id} not found");
        await plugins.AuthorizeAsync(PluginActions.Stop, task, cancellationToken).ConfigureAwait(false);
        if (task.Broadcast)
        {
            await publisher.PublishStopAsync(new StopMessage { Id = task.Id, Broadcast = true }, CancellationToken.None).ConfigureAwait(false);
            Log.TaskStopped(logger, task.Id, "(broadcast)");
            return;
        }

        var propletId = await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityConflictException($"task {task.Id} is not running");
        await publisher.PublishStopAsync(new StopMessage { Id = task.Id, Broadcast = false, PropletId = propletId }, CancellationToken.None).ConfigureAwait(false);
        await store.TaskProplets.DeleteAsync(task.Id, CancellationToken.None).ConfigureAwait(false);
        if (HoldsPropletSlot(task.State))
        {
            await ReleaseSlotAsync(propletId).ConfigureAwait(false);
        }

        Log.TaskStopped(logger, task.Id, propletId);
    }

    /// <summary>
    /// A task still running on a live proplet is a conflict (DECISIONS §4.3): starting it again would run it twice.
    /// One whose proplet died may be started again; its slot moves to the new proplet.
    /// </summary>
    private async Task RefuseIfAlreadyRunningAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        if (task.State != TaskState.Running)
        {
            return;
        }

        if (task.Broadcast)
        {
            throw new EntityConflictException($"task {task.Id} is already running; stop it first");
        }

        if (await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false) is { } propletId
            && await store.Proplets.GetAsync(propletId, cancellationToken).ConfigureAwait(false) is { } proplet
            && proplet.IsAlive(timeProvider.GetUtcNow()))
        {
            throw new EntityConflictException($"task {task.Id} is already running on proplet {propletId}; stop it first");
        }
    }

    /// <summary>
    /// Every parent must exist and have finished (Completed, Failed, Skipped or Interrupted: the same rule as the
    /// workflow's ready set, so a readiness pass never starts a task this guard refuses). Returns the results of the
    /// Completed parents for the start message. A refused workflow or job task gets a readiness pass
    /// (manager-reference §5.3), which starts whatever of its graph is ready.
    /// </summary>
    private async Task<Dictionary<string, JsonElement>?> CheckDependenciesAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        if (task.DependsOn is not { Count: > 0 } dependencies)
        {
            return null;
        }

        var results = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var parentId in dependencies)
        {
            var parent = await store.Tasks.GetAsync(parentId, cancellationToken).ConfigureAwait(false)
                ?? throw new UnprocessableRequestException($"task {task.Id} depends on task {parentId}, which does not exist");
            if (!Workflows.Dag.IsTerminal(parent.State))
            {
                signals?.Publish(Workflows.TaskSignalKind.Blocked, task);
                throw new UnprocessableRequestException($"task {task.Id} has unmet dependencies: task {parentId} is {parent.State}");
            }

            if (parent is { State: TaskState.Completed, Results: { ValueKind: not JsonValueKind.Null } parentResult })
            {
                results[parentId] = parentResult;
            }
        }

        return results;
    }

    /// <summary>Requirements and re-placement rules live in <see cref="PropletPlacement"/>.</summary>
    private Task<Proplet> ChoosePropletAsync(PropellerTask task, string? avoidPropletId, CancellationToken cancellationToken) =>
        placement.ChooseAsync(task, avoidPropletId, cancellationToken);

    private async Task<PropellerTask> StartBroadcastAsync(PropellerTask task, Dictionary<string, JsonElement>? parentResults)
    {
        var message = StartMessageFactory.Create(task, null, parentResults);
        var running = await MarkRunningAsync(task, task.PropletId).ConfigureAwait(false);
        try
        {
            await publisher.PublishStartAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MqttPublishException ex)
        {
            await MarkFailedAsync(running, $"failed to publish start message: {ex.Message}").ConfigureAwait(false);
            throw;
        }

        Log.TaskStarted(logger, task.Id, "(broadcast)");
        return running;
    }

    private async Task<PropellerTask> StartOnPropletAsync(PropellerTask task, Proplet proplet, Dictionary<string, JsonElement>? parentResults)
    {
        var message = StartMessageFactory.Create(task, proplet.Id, parentResults);

        // A re-start of a task that still holds a slot moves the slot instead of taking a second one.
        var previous = await store.TaskProplets.GetAsync(task.Id, CancellationToken.None).ConfigureAwait(false);
        var previousSlot = previous is not null && HoldsPropletSlot(task.State) ? previous : null;
        await store.TaskProplets.UpsertAsync(task.Id, proplet.Id, CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!string.Equals(previousSlot, proplet.Id, StringComparison.Ordinal))
            {
                await store.Proplets.AdjustTaskCountAsync(proplet.Id, 1, CancellationToken.None).ConfigureAwait(false);
                if (previousSlot is not null)
                {
                    await ReleaseSlotAsync(previousSlot).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await store.TaskProplets.DeleteAsync(task.Id, CancellationToken.None).ConfigureAwait(false);
            await MarkFailedAsync(task, $"failed to bump proplet task count: {ex.Message}").ConfigureAwait(false);
            throw;
        }

        PropellerTask running;
        try
        {
            running = await MarkRunningAsync(task, proplet.Id).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await RollBackPlacementAsync(task.Id, proplet.Id).ConfigureAwait(false);
            await MarkFailedAsync(task, $"failed to mark task running: {ex.Message}").ConfigureAwait(false);
            throw;
        }

        try
        {
            await publisher.PublishStartAsync(message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MqttPublishException ex)
        {
            await RollBackPlacementAsync(task.Id, proplet.Id).ConfigureAwait(false);
            await MarkFailedAsync(running, $"failed to publish start message: {ex.Message}").ConfigureAwait(false);
            throw;
        }

        Log.TaskStarted(logger, task.Id, proplet.Id);
        return running;
    }

    private async Task<PropellerTask> MarkRunningAsync(PropellerTask task, string? propletId)
    {
        var now = timeProvider.GetUtcNow();
        var running = task with
        {
            State = TaskState.Running,
            PropletId = propletId,
            StartTime = now,
            UpdatedAt = now,
            FinishTime = DateTimeOffset.MinValue,
            Error = null,
        };
        await store.Tasks.UpdateAsync(running, CancellationToken.None).ConfigureAwait(false);
        return running;
    }

    private async Task MarkFailedAsync(PropellerTask task, string error)
    {
        Log.TaskStartFailed(logger, task.Id, error);
        try
        {
            var now = timeProvider.GetUtcNow();
            var failed = task with { State = TaskState.Failed, Error = error, FinishTime = now, UpdatedAt = now };
            await store.Tasks.UpdateAsync(failed, CancellationToken.None).ConfigureAwait(false);

            // A failed start ends the run as a failed result would: its workflow or job moves on.
            signals?.Publish(Workflows.TaskSignalKind.Finished, failed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RollbackFailed(logger, task.Id, ex.Message);
        }
    }

    private async Task RollBackPlacementAsync(string taskId, string propletId)
    {
        try
        {
            await store.TaskProplets.DeleteAsync(taskId, CancellationToken.None).ConfigureAwait(false);
            await store.Proplets.AdjustTaskCountAsync(propletId, -1, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RollbackFailed(logger, taskId, ex.Message);
        }
    }

    private async Task ReleaseSlotAsync(string propletId)
    {
        try
        {
            await store.Proplets.AdjustTaskCountAsync(propletId, -1, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            // The proplet was deleted meanwhile; there is no count left to release.
        }
    }
}
