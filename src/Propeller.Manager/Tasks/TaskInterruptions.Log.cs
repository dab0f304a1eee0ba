using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tasks;

internal sealed partial class TaskInterruptions
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ShutdownStarted, EventName = nameof(EventIds.ShutdownStarted), Level = LogLevel.Information,
            Message = "Shutting down: stopping {Count} running task(s)")]
        public static partial void ShutdownStarted(ILogger logger, int count);

        [LoggerMessage(EventId = EventIds.TaskInterrupted, EventName = nameof(EventIds.TaskInterrupted), Level = LogLevel.Information,
            Message = "Task {TaskId} marked Interrupted by shutdown")]
        public static partial void TaskInterrupted(ILogger logger, string taskId);

        [LoggerMessage(EventId = EventIds.ShutdownCompleted, EventName = nameof(EventIds.ShutdownCompleted), Level = LogLevel.Information,
            Message = "Shutdown of tasks complete; {Count} interrupted")]
        public static partial void ShutdownCompleted(ILogger logger, int count);

        [LoggerMessage(EventId = EventIds.ShutdownStopFailed, EventName = nameof(EventIds.ShutdownStopFailed), Level = LogLevel.Warning,
            Message = "Could not send the shutdown stop for task {TaskId}: {Error}")]
        public static partial void ShutdownStopFailed(ILogger logger, string taskId, string error);

        [LoggerMessage(EventId = EventIds.InterruptedTaskRecovered, EventName = nameof(EventIds.InterruptedTaskRecovered), Level = LogLevel.Information,
            Message = "Task {TaskId}, interrupted by the last shutdown, marked Failed")]
        public static partial void InterruptedTaskRecovered(ILogger logger, string taskId);

        [LoggerMessage(EventId = EventIds.RecoveryFailed, EventName = nameof(EventIds.RecoveryFailed), Level = LogLevel.Error,
            Message = "Recovering interrupted task {TaskId} failed; it is retried at the next start")]
        public static partial void RecoveryFailed(ILogger logger, string taskId, Exception exception);
    }
}
