using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tasks;

internal sealed partial class TaskService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TaskCreated, EventName = nameof(EventIds.TaskCreated), Level = LogLevel.Information,
            Message = "Task {TaskId} ({Name}) created")]
        public static partial void TaskCreated(ILogger logger, string taskId, string name);

        [LoggerMessage(EventId = EventIds.TaskUpdated, EventName = nameof(EventIds.TaskUpdated), Level = LogLevel.Information,
            Message = "Task {TaskId} updated")]
        public static partial void TaskUpdated(ILogger logger, string taskId);

        [LoggerMessage(EventId = EventIds.TaskFileUploaded, EventName = nameof(EventIds.TaskFileUploaded), Level = LogLevel.Information,
            Message = "Task {TaskId}: Wasm binary of {Bytes} bytes uploaded")]
        public static partial void TaskFileUploaded(ILogger logger, string taskId, int bytes);

        [LoggerMessage(EventId = EventIds.TaskDeleted, EventName = nameof(EventIds.TaskDeleted), Level = LogLevel.Information,
            Message = "Task {TaskId} deleted")]
        public static partial void TaskDeleted(ILogger logger, string taskId);
    }
}
