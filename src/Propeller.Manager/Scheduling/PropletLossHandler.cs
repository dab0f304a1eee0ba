using System.Globalization;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Errors;
using Propeller.Manager.Messaging;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// What happens to a task whose proplet went offline while it ran (docs/architecture.md, "Scheduling"): without a
/// <c>retry</c> policy, or with its attempts used up, the task is Failed; otherwise it waits (state Scheduled) for
/// an exponential backoff and is re-placed on another eligible proplet as its next attempt.
/// </summary>
internal sealed partial class PropletLossHandler(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    TaskMessagePublisher publisher,
    TaskLocks locks,
    TimeProvider timeProvider,
    ILogger<PropletLossHandler> logger,
    Workflows.TaskSignals? signals = null)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    public static string OfflineError(string propletId) => $"proplet {propletId} went offline while the task was running";

    /// <summary>The wait before re-placing after run <paramref name="failedAttempt"/>: backoff_ms × 2^(attempt-1), at most 5 min.</summary>
    public static TimeSpan Backoff(TaskRetryPolicy policy, int failedAttempt)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var exponent = Math.Clamp(failedAttempt - 1, 0, 30);
        var milliseconds = Math.Min(Math.Max(policy.BackoffMs, 0) * Math.Pow(2, exponent), MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>
    /// Settles a task found running on <paramref name="propletId"/> after that proplet was lost. Returns the
    /// re-placement to run after <c>Delay</c>, or null when the task failed (or had moved on meanwhile).
    /// </summary>
    public async Task<(TaskReplacement Replacement, TimeSpan Delay)?> HandleLostAsync(string taskId, string propletId, CancellationToken cancellationToken)
    {
        (TaskReplacement, TimeSpan)? retry;
        using (await locks.AcquireAsync(taskId, cancellationToken).ConfigureAwait(false))
        {
            var task = await store.Tasks.GetAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (task is not { State: TaskState.Running, Broadcast: false }
                || !string.Equals(await store.TaskProplets.GetAsync(taskId, cancellationToken).ConfigureAwait(false), propletId, StringComparison.Ordinal))
            {
                return null;
            }

            await ReleaseSlotAsync(propletId, cancellationToken).ConfigureAwait(false);
            var attempt = Math.Max(task.Attempt, 1);
            var now = timeProvider.GetUtcNow();
            if (task.Retry is { } policy && attempt < policy.MaxAttempts)
            {
                var delay = Backoff(policy, attempt);
                var error = string.Create(CultureInfo.InvariantCulture,
                    $"{OfflineError(propletId)}; re-placing it as attempt {attempt + 1} of {policy.MaxAttempts} in {delay.TotalMilliseconds:0} ms");
                await store.Tasks.UpdateAsync(task with { State = TaskState.Scheduled, Error = error, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
                Log.RetryScheduled(logger, taskId, propletId, attempt + 1, policy.MaxAttempts, delay.TotalMilliseconds);
                retry = (new TaskReplacement(propletId, attempt + 1), delay);
            }
            else
            {
                var error = task.Retry is null
                    ? OfflineError(propletId)
                    : string.Create(CultureInfo.InvariantCulture, $"{OfflineError(propletId)} after {attempt} {(attempt == 1 ? "attempt" : "attempts")}");
                var failed = task with { State = TaskState.Failed, Error = error, FinishTime = now, UpdatedAt = now };
                await store.Tasks.UpdateAsync(failed, cancellationToken).ConfigureAwait(false);
                Log.TaskFailedByLoss(logger, taskId, propletId, error);

                // A failure moves a workflow or job on just as a failed result does.
                signals?.Publish(Workflows.TaskSignalKind.Finished, failed);
                retry = null;
            }
        }

        // Should the proplet come back (a late heartbeat rather than a crash), it must not go on with the task.
        await SendStopAsync(taskId, propletId).ConfigureAwait(false);
        return retry;
    }

    /// <summary>Starts the next attempt; when no proplet can take it the task is Failed with the reason.</summary>
    public async Task ReplaceAsync(string taskId, TaskReplacement replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        try
        {
            var started = await dispatcher.StartAsync(taskId, replacement, cancellationToken).ConfigureAwait(false);
            Log.TaskReplaced(logger, taskId, started.PropletId ?? "", replacement.Attempt);
        }
        catch (EntityConflictException ex)
        {
            // Started, stopped or changed by someone else while it waited: theirs wins.
            Log.ReplacementSkipped(logger, taskId, ex.Message);
        }
        catch (ServiceShuttingDownException ex)
        {
            // Shutdown marks the waiting task Interrupted; recovery at the next start fails it.
            Log.ReplacementSkipped(logger, taskId, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No eligible proplet, a plugin denial, a publish failure...: the reason becomes the task's error.
            await FailWaitingAsync(taskId, replacement, ex.Message).ConfigureAwait(false);
        }
    }

    private async Task FailWaitingAsync(string taskId, TaskReplacement replacement, string reason)
    {
        using var held = await locks.AcquireAsync(taskId, CancellationToken.None).ConfigureAwait(false);
        if (await store.Tasks.GetAsync(taskId, CancellationToken.None).ConfigureAwait(false) is not { State: TaskState.Scheduled } task)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var error = $"{OfflineError(replacement.LostPropletId)}; re-placing it failed: {reason}";
        var failed = task with { State = TaskState.Failed, Error = error, FinishTime = now, UpdatedAt = now };
        await store.Tasks.UpdateAsync(failed, CancellationToken.None).ConfigureAwait(false);
        Log.TaskFailedByLoss(logger, taskId, replacement.LostPropletId, error);
        signals?.Publish(Workflows.TaskSignalKind.Finished, failed);
    }

    private async Task ReleaseSlotAsync(string propletId, CancellationToken cancellationToken)
    {
        try
        {
            await store.Proplets.AdjustTaskCountAsync(propletId, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            // The proplet record is gone; there is no count to release.
        }
    }

    private async Task SendStopAsync(string taskId, string propletId)
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await publisher.PublishStopAsync(new StopMessage { Id = taskId, PropletId = propletId }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttPublishException or OperationCanceledException)
        {
            Log.LostStopFailed(logger, taskId, propletId, ex.Message);
        }
    }
}
