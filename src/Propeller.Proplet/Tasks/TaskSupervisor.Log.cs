using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Tasks;

internal sealed partial class TaskSupervisor
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.InvalidStart, LogLevel.Warning, "Ignoring invalid start of task '{TaskId}': {Reason}")]
        public static partial void InvalidStart(ILogger logger, string taskId, string reason);

        [LoggerMessage(EventIds.StartForOtherProplet, LogLevel.Debug, "Ignoring start of task {TaskId}: it targets proplet {Target}")]
        public static partial void StartForOtherProplet(ILogger logger, string taskId, string? target);

        [LoggerMessage(EventIds.TaskRejected, LogLevel.Warning, "Rejected task {TaskId}: {Reason}")]
        public static partial void TaskRejected(ILogger logger, string taskId, string reason);

        [LoggerMessage(EventIds.DuplicateStart, LogLevel.Warning, "Ignoring start of task {TaskId}: it is already running")]
        public static partial void DuplicateStart(ILogger logger, string taskId);

        [LoggerMessage(EventIds.TaskStarted, LogLevel.Information, "Started task {TaskId} ({FunctionName}, daemon: {Daemon})")]
        public static partial void TaskStarted(ILogger logger, string taskId, string functionName, bool daemon);

        [LoggerMessage(EventIds.TaskCompleted, LogLevel.Information, "Task {TaskId} completed")]
        public static partial void TaskCompleted(ILogger logger, string taskId);

        [LoggerMessage(EventIds.TaskFailed, LogLevel.Warning, "Task {TaskId} failed: {Error}")]
        public static partial void TaskFailed(ILogger logger, string taskId, string error);

        [LoggerMessage(EventIds.TaskCrashed, LogLevel.Error, "Task {TaskId} failed unexpectedly")]
        public static partial void TaskCrashed(ILogger logger, string taskId, Exception exception);

        [LoggerMessage(EventIds.TaskCancelled, LogLevel.Information, "Task {TaskId} was stopped")]
        public static partial void TaskCancelled(ILogger logger, string taskId);

        [LoggerMessage(EventIds.DaemonFinished, LogLevel.Information, "Daemon task {TaskId} finished")]
        public static partial void DaemonFinished(ILogger logger, string taskId);

        [LoggerMessage(EventIds.DaemonStopped, LogLevel.Information, "Daemon task {TaskId} stopped")]
        public static partial void DaemonStopped(ILogger logger, string taskId);

        [LoggerMessage(EventIds.DaemonFailed, LogLevel.Warning, "Daemon task {TaskId} failed after its start was reported: {Error}")]
        public static partial void DaemonFailed(ILogger logger, string taskId, string error);

        [LoggerMessage(EventIds.InvalidStop, LogLevel.Warning, "Ignoring invalid stop: {Reason}")]
        public static partial void InvalidStop(ILogger logger, string reason);

        [LoggerMessage(EventIds.StopOfUnknownTask, LogLevel.Warning, "Task {TaskId} not found in running tasks")]
        public static partial void StopOfUnknownTask(ILogger logger, string taskId);

        [LoggerMessage(EventIds.StopForOtherProplet, LogLevel.Debug, "Ignoring stop of task {TaskId}: not running here")]
        public static partial void StopForOtherProplet(ILogger logger, string taskId);

        [LoggerMessage(EventIds.TaskStopped, LogLevel.Information, "Stopping task {TaskId}")]
        public static partial void TaskStopped(ILogger logger, string taskId);

        [LoggerMessage(EventIds.StoppingAllTasks, LogLevel.Information, "Stopping {Count} task(s) for shutdown")]
        public static partial void StoppingAllTasks(ILogger logger, int count);

        [LoggerMessage(EventIds.TasksStillRunningAtShutdown, LogLevel.Warning, "{Count} task(s) had not finished when shutdown ran out of time; their results are dropped")]
        public static partial void TasksStillRunningAtShutdown(ILogger logger, int count);
    }
}
