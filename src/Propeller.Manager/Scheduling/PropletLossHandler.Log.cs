using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Scheduling;

internal sealed partial class PropletLossHandler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TaskFailedByPropletLoss, EventName = nameof(EventIds.TaskFailedByPropletLoss), Level = LogLevel.Warning,
            Message = "Task {TaskId} failed because proplet {PropletId} was lost: {Error}")]
        public static partial void TaskFailedByLoss(ILogger logger, string taskId, string propletId, string error);

        [LoggerMessage(EventId = EventIds.TaskRetryScheduled, EventName = nameof(EventIds.TaskRetryScheduled), Level = LogLevel.Information,
            Message = "Task {TaskId} lost proplet {PropletId}; attempt {Attempt} of {MaxAttempts} in {DelayMs} ms")]
        public static partial void RetryScheduled(ILogger logger, string taskId, string propletId, int attempt, int maxAttempts, double delayMs);

        [LoggerMessage(EventId = EventIds.TaskReplaced, EventName = nameof(EventIds.TaskReplaced), Level = LogLevel.Information,
            Message = "Task {TaskId} re-placed on proplet {PropletId} as attempt {Attempt}")]
        public static partial void TaskReplaced(ILogger logger, string taskId, string propletId, int attempt);

        [LoggerMessage(EventId = EventIds.TaskReplacementSkipped, EventName = nameof(EventIds.TaskReplacementSkipped), Level = LogLevel.Information,
            Message = "Re-placement of task {TaskId} skipped: {Reason}")]
        public static partial void ReplacementSkipped(ILogger logger, string taskId, string reason);

        [LoggerMessage(EventId = EventIds.LostPropletStopFailed, EventName = nameof(EventIds.LostPropletStopFailed), Level = LogLevel.Debug,
            Message = "Stop for task {TaskId} to lost proplet {PropletId} not sent: {Error}")]
        public static partial void LostStopFailed(ILogger logger, string taskId, string propletId, string error);
    }
}
