using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Scheduling;

internal sealed partial class CronScheduler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.CronTick, EventName = nameof(EventIds.CronTick), Level = LogLevel.Debug,
            Message = "Cron tick: {DueCount} due tasks")]
        public static partial void Tick(ILogger logger, int dueCount);

        [LoggerMessage(EventId = EventIds.CronMissedRunSkipped, EventName = nameof(EventIds.CronMissedRunSkipped), Level = LogLevel.Information,
            Message = "Scheduled task {TaskId} missed its run at {MissedRun:o}; next run {NextRun:o}")]
        public static partial void MissedRunSkipped(ILogger logger, string taskId, DateTimeOffset missedRun, DateTimeOffset nextRun);

        [LoggerMessage(EventId = EventIds.CronTaskFired, EventName = nameof(EventIds.CronTaskFired), Level = LogLevel.Information,
            Message = "Scheduled task {TaskId} started; next run {NextRun:o} (recurring: {Recurring})")]
        public static partial void TaskFired(ILogger logger, string taskId, DateTimeOffset nextRun, bool recurring);

        [LoggerMessage(EventId = EventIds.CronStartFailed, EventName = nameof(EventIds.CronStartFailed), Level = LogLevel.Warning,
            Message = "Scheduled task {TaskId} could not be started; the next tick tries again: {Error}")]
        public static partial void StartFailed(ILogger logger, string taskId, string error);

        [LoggerMessage(EventId = EventIds.CronTickFailed, EventName = nameof(EventIds.CronTickFailed), Level = LogLevel.Error,
            Message = "Cron tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
