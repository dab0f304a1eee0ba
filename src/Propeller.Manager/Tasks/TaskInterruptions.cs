using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Hosting;
using Propeller.Manager.Messaging;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>Graceful shutdown and start-up recovery of running tasks (manager-reference §3.7).</summary>
internal sealed partial class TaskInterruptions(
    IPropellerStore store,
    TaskMessagePublisher publisher,
    ShutdownGate shutdownGate,
    TaskLocks locks,
    TimeProvider timeProvider,
    ILogger<TaskInterruptions> logger)
{
    public const string InterruptedError = "interrupted by shutdown";

    private static readonly TaskState[] ActiveStates = [TaskState.Running, TaskState.Scheduled];
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(200);

    // A broker that is down must not hold up shutdown; recovery at the next start stops the task instead.
    private static readonly TimeSpan ShutdownStopTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Refuses new starts, asks proplets to stop every running task, gives results 200 ms to arrive, then marks
    /// what is still running Interrupted. Returns how many tasks were interrupted.
    /// </summary>
    public async Task<int> ShutdownAsync(CancellationToken cancellationToken)
    {
        shutdownGate.Close();
        var active = await store.Tasks.ListByStateAsync(ActiveStates, cancellationToken).ConfigureAwait(false);
        Log.ShutdownStarted(logger, active.Count);
        await Task.WhenAll(active.Select(t => SendShutdownStopAsync(t, cancellationToken))).ConfigureAwait(false);

        var deadline = timeProvider.GetUtcNow() + SettleTime;
        while (active.Count > 0 && timeProvider.GetUtcNow() < deadline)
        {
            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            active = await store.Tasks.ListByStateAsync(ActiveStates, cancellationToken).ConfigureAwait(false);
        }

        var interrupted = 0;
        foreach (var task in active)
        {
            using var held = await locks.AcquireAsync(task.Id, cancellationToken).ConfigureAwait(false);
            var current = await store.Tasks.GetAsync(task.Id, cancellationToken).ConfigureAwait(false);
            if (current is null || !ActiveStates.Contains(current.State))
            {
                continue;
            }

            var now = timeProvider.GetUtcNow();
            await store.Tasks.UpdateAsync(current with { State = TaskState.Interrupted, Error = InterruptedError, FinishTime = now, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
            Log.TaskInterrupted(logger, task.Id);
            interrupted++;
        }

        Log.ShutdownCompleted(logger, interrupted);
        return interrupted;
    }

    /// <summary>
    /// Turns every Interrupted task into Failed, after asking its proplet to stop it (it may still be running
    /// there). Tasks are recovered concurrently; one failure does not stop the others.
    /// </summary>
    public async Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken)
    {
        var interrupted = await store.Tasks.ListByStateAsync([TaskState.Interrupted], cancellationToken).ConfigureAwait(false);
        var outcomes = await Task.WhenAll(interrupted.Select(t => RecoverAsync(t, cancellationToken))).ConfigureAwait(false);
        return outcomes.Count(recovered => recovered);
    }

    private async Task SendShutdownStopAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        var propletId = await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false)
            ?? (string.IsNullOrEmpty(task.PropletId) ? null : task.PropletId);

        // The original skips broadcast tasks; stopping them too keeps a late result from reviving the task.
        var stop = task.Broadcast
            ? new StopMessage { Id = task.Id, Broadcast = true }
            : propletId is null ? null : new StopMessage { Id = task.Id, PropletId = propletId };
        if (stop is null)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownStopTimeout);
        try
        {
            await publisher.PublishStopAsync(stop, timeout.Token).ConfigureAwait(false);
        }
        catch (Contracts.Mqtt.MqttPublishException ex)
        {
            Log.ShutdownStopFailed(logger, task.Id, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ShutdownStopFailed(logger, task.Id, $"not sent within {ShutdownStopTimeout.TotalSeconds} s");
        }
    }

    private async Task<bool> RecoverAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        try
        {
            var propletId = await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false);
            if (propletId is not null)
            {
                await publisher.PublishStopAsync(new StopMessage { Id = task.Id, PropletId = propletId }, cancellationToken).ConfigureAwait(false);
                await Task.Delay(SettleTime, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            using var held = await locks.AcquireAsync(task.Id, cancellationToken).ConfigureAwait(false);
            var current = await store.Tasks.GetAsync(task.Id, cancellationToken).ConfigureAwait(false);
            if (current is not { State: TaskState.Interrupted })
            {
                return false;
            }

            await store.Tasks.UpdateAsync(current with { State = TaskState.Failed, Error = InterruptedError, UpdatedAt = timeProvider.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            if (propletId is not null && !current.Broadcast)
            {
                await ReleaseSlotAsync(propletId, cancellationToken).ConfigureAwait(false);
            }

            Log.InterruptedTaskRecovered(logger, task.Id);
            return true;
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            Log.RecoveryFailed(logger, task.Id, ex);
            return false;
        }
    }

    private async Task ReleaseSlotAsync(string propletId, CancellationToken cancellationToken)
    {
        try
        {
            await store.Proplets.AdjustTaskCountAsync(propletId, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            // The proplet is gone; nothing to release.
        }
    }
}
