using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Hosting;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Watches running tasks for a lost proplet: one that sent its Last Will (<c>status:"offline"</c>), was deleted,
/// or has not sent a heartbeat for <see cref="ManagerOptions.PropletLostTimeout"/>. Heartbeats from before this
/// manager started count from its start, so a restart does not fail every running task at once.
/// </summary>
internal sealed partial class PropletLossMonitor(
    IPropellerStore store,
    PropletLossHandler handler,
    ManagerOptions options,
    TimeProvider timeProvider,
    ILogger<PropletLossMonitor> logger) : BackgroundService
{
    private static readonly TaskState[] Running = [TaskState.Running];
    private readonly ConcurrentDictionary<Task, bool> _replacements = new();
    private DateTimeOffset _startedAt;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = timeProvider.GetUtcNow();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Waiting re-placements end with the stopping token; their tasks stay Scheduled for shutdown to interrupt.
        await Task.WhenAll(_replacements.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One pass over the running tasks; returns how many were found on a lost proplet.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var running = await store.Tasks.ListByStateAsync(Running, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var proplets = new Dictionary<string, Proplet?>(StringComparer.Ordinal);
        var lost = 0;
        foreach (var task in running.Where(t => !t.Broadcast))
        {
            if (await store.TaskProplets.GetAsync(task.Id, cancellationToken).ConfigureAwait(false) is not { } propletId)
            {
                continue;
            }

            if (!proplets.TryGetValue(propletId, out var proplet))
            {
                proplet = await store.Proplets.GetAsync(propletId, cancellationToken).ConfigureAwait(false);
                proplets[propletId] = proplet;
            }

            if (!IsLost(proplet, now))
            {
                continue;
            }

            lost++;
            Log.PropletLost(logger, propletId, task.Id);
            if (await handler.HandleLostAsync(task.Id, propletId, cancellationToken).ConfigureAwait(false) is { } retry)
            {
                Track(ReplaceLaterAsync(task.Id, retry.Replacement, retry.Delay, cancellationToken));
            }
        }

        return lost;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PropletLossCheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
                {
                    Log.CheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private bool IsLost(Proplet? proplet, DateTimeOffset now)
    {
        if (proplet is null || proplet.Offline)
        {
            return true;
        }

        var lastSeen = proplet.LastAliveAt is { } last && last > _startedAt ? last : _startedAt;
        return now - lastSeen > options.PropletLostTimeout;
    }

    private async Task ReplaceLaterAsync(string taskId, TaskReplacement replacement, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            await handler.ReplaceAsync(taskId, replacement, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down; the task stays Scheduled.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ReplacementFailed(logger, taskId, ex);
        }
    }

    private void Track(Task replacement)
    {
        _replacements[replacement] = true;
        _ = replacement.ContinueWith(t => _replacements.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
