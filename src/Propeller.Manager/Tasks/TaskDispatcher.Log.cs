using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tasks;

internal sealed partial class TaskDispatcher
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TaskStarted, EventName = nameof(EventIds.TaskStarted), Level = LogLevel.Information,
            Message = "Task {TaskId} started on proplet {PropletId}")]
        public static partial void TaskStarted(ILogger logger, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.TaskStartFailed, EventName = nameof(EventIds.TaskStartFailed), Level = LogLevel.Warning,
            Message = "Task {TaskId} could not be started and is marked Failed: {Error}")]
        public static partial void TaskStartFailed(ILogger logger, string taskId, string error);

        [LoggerMessage(EventId = EventIds.TaskStopped, EventName = nameof(EventIds.TaskStopped), Level = LogLevel.Information,
            Message = "Stop sent for task {TaskId} to proplet {PropletId}")]
        public static partial void TaskStopped(ILogger logger, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.StartRollbackFailed, EventName = nameof(EventIds.StartRollbackFailed), Level = LogLevel.Error,
            Message = "Undoing the failed start of task {TaskId} failed: {Error}")]
        public static partial void RollbackFailed(ILogger logger, string taskId, string error);
    }
}
