using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Hosting;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Starts scheduled tasks (manager-reference §6). At start-up every schedule whose <c>next_run</c> is unset or
/// past gets a fresh one from now (missed runs are skipped, not caught up). Every
/// <see cref="ManagerOptions.CronTickInterval"/> the due tasks start in priority order through the same
/// <see cref="TaskDispatcher"/> as <c>POST /tasks/{id}/start</c>. A failed start keeps <c>next_run</c>, so the next
/// tick tries again; after a start a recurring task gets its next run and a one-shot loses its schedule.
/// </summary>
internal sealed partial class CronScheduler(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    TaskLocks locks,
    ManagerOptions options,
    TimeProvider timeProvider,
    ILogger<CronScheduler> logger) : BackgroundService
{
    private const ulong PageSize = 100;

    /// <summary>Gives every schedule that is unset or past a next run from now; returns how many changed.</summary>
    public async Task<int> SkipMissedRunsAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var changed = 0;
        foreach (var stale in (await ListScheduledAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.NextRun == DateTimeOffset.MinValue || t.NextRun <= now))
        {
            using var held = await locks.AcquireAsync(stale.Id, cancellationToken).ConfigureAwait(false);
            if (await store.Tasks.GetAsync(stale.Id, cancellationToken).ConfigureAwait(false) is not { Schedule: { Length: > 0 } schedule } task
                || (task.NextRun != DateTimeOffset.MinValue && task.NextRun > now))
            {
                continue;
            }

            var nextRun = TaskSchedule.NextRun(schedule, task.Timezone, now);
            await store.Tasks.UpdateAsync(task with { NextRun = nextRun }, cancellationToken).ConfigureAwait(false);
            Log.MissedRunSkipped(logger, task.Id, task.NextRun, nextRun);
            changed++;
        }

        return changed;
    }

    /// <summary>Starts every due task, highest priority first; returns how many started.</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var due = DueTaskOrder.Sort((await ListScheduledAsync(cancellationToken).ConfigureAwait(false)).Where(t => DueTaskOrder.IsDue(t, now)));
        Log.Tick(logger, due.Count);
        var started = 0;
        foreach (var task in due)
        {
            try
            {
                await dispatcher.StartAsync(task.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.StartFailed(logger, task.Id, ex.Message);
                continue;
            }

            started++;
            await AdvanceAsync(task.Id, cancellationToken).ConfigureAwait(false);
        }

        return started;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The tick period counts from start-up, not from the end of the missed-run pass (which may be slow).
        using var timer = new PeriodicTimer(options.CronTickInterval, timeProvider);
        try
        {
            await SkipMissedRunsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            Log.TickFailed(logger, ex);
        }

        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
                {
                    Log.TickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task AdvanceAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        if (await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { Schedule: { Length: > 0 } schedule } task)
        {
            return;
        }

        var advanced = task.IsRecurring
            ? task with { NextRun = TaskSchedule.NextRun(schedule, task.Timezone, timeProvider.GetUtcNow()) }
            : task with { Schedule = null, NextRun = DateTimeOffset.MinValue, IsRecurring = false };
        await store.Tasks.UpdateAsync(advanced, cancellationToken).ConfigureAwait(false);
        Log.TaskFired(logger, id, advanced.NextRun, task.IsRecurring);
    }

    /// <summary>Every task with a schedule. Pages move while tasks are created, so ids are de-duplicated.</summary>
    private async Task<List<PropellerTask>> ListScheduledAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var scheduled = new List<PropellerTask>();
        for (ulong offset = 0; ; offset += PageSize)
        {
            var page = await store.Tasks.ListAsync(TaskFilter.None, offset, PageSize, cancellationToken).ConfigureAwait(false);
            scheduled.AddRange(page.Items.Where(t => !string.IsNullOrEmpty(t.Schedule) && seen.Add(t.Id)));
            if (page.Items.Count < (int)PageSize)
            {
                return scheduled;
            }
        }
    }
}
