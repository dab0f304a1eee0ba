using System.Text.Json;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Messaging;
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
    RoundRobinSelector selector,
    ShutdownGate shutdownGate,
    TaskLocks locks,
    TimeProvider timeProvider,
    ILogger<TaskDispatcher> logger)
{
    private const ulong PropletPageSize = 100;

    /// <summary>Whether a task in this state holds a slot in its proplet's task_count.</summary>
    public static bool HoldsPropletSlot(TaskState state) => state is TaskState.Running or TaskState.Interrupted;

    public async Task<PropellerTask> StartAsync(string id, CancellationToken cancellationToken)
    {
        shutdownGate.ThrowIfClosed();
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new EntityNotFoundException($"task {id} not found");
        await RefuseIfAlreadyRunningAsync(task, cancellationToken).ConfigureAwait(false);
        var parentResults = await CheckDependenciesAsync(task, cancellationToken).ConfigureAwait(false);
        if (task.Broadcast)
        {
            return await StartBroadcastAsync(task, parentResults).ConfigureAwait(false);
        }

        var proplet = await ChoosePropletAsync(task, cancellationToken).ConfigureAwait(false);

        // From here on the work is not abandoned halfway because a caller went away.
        return await StartOnPropletAsync(task, proplet, parentResults).ConfigureAwait(false);
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
    /// Every parent must exist and have finished as Completed, Failed or Skipped (manager-reference §5.3).
    /// Returns the results of the Completed parents for the start message.
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
            if (parent.State is not (TaskState.Completed or TaskState.Failed or TaskState.Skipped))
            {
                throw new UnprocessableRequestException($"task {task.Id} has unmet dependencies: task {parentId} is {parent.State}");
            }

            if (parent is { State: TaskState.Completed, Results: { ValueKind: not JsonValueKind.Null } parentResult })
            {
                results[parentId] = parentResult;
            }
        }

        return results;
    }

    private async Task<Proplet> ChoosePropletAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (!string.IsNullOrEmpty(task.PropletId))
        {
            var pinned = await store.Proplets.GetAsync(task.PropletId, cancellationToken).ConfigureAwait(false)
                ?? throw new EntityNotFoundException($"proplet {task.PropletId} not found");
            return pinned.IsAlive(now)
                ? pinned
                : throw new PropletSelectionException($"specified proplet {task.PropletId} is not alive");
        }

        var candidates = new List<Proplet>();
        var since = now - Proplet.LivenessWindow;
        for (ulong offset = 0; ; offset += PropletPageSize)
        {
            var page = await store.Proplets.ListAsync(true, since, offset, PropletPageSize, cancellationToken).ConfigureAwait(false);
            candidates.AddRange(page.Items);
            if (page.Items.Count == 0 || (ulong)candidates.Count >= page.Total)
            {
                break;
            }
        }

        return candidates.Count == 0
            ? throw new PropletSelectionException("no active proplets available")
            : selector.Select(candidates);
    }

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
            await store.Tasks.UpdateAsync(task with { State = TaskState.Failed, Error = error, FinishTime = now, UpdatedAt = now }, CancellationToken.None).ConfigureAwait(false);
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
