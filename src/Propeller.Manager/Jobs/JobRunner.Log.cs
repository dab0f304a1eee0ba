using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Jobs;

internal sealed partial class JobRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.JobTaskFailedStoppingJob, EventName = nameof(EventIds.JobTaskFailedStoppingJob), Level = LogLevel.Warning,
            Message = "Job {JobId}: task {TaskId} failed; stopping the job's running tasks")]
        public static partial void StoppingFailedJob(ILogger logger, string jobId, string taskId);

        [LoggerMessage(EventId = EventIds.JobDependentStarted, EventName = nameof(EventIds.JobDependentStarted), Level = LogLevel.Information,
            Message = "Job {JobId}: task {TaskId} started because its parents finished")]
        public static partial void DependentStarted(ILogger logger, string jobId, string taskId);

        [LoggerMessage(EventId = EventIds.JobNextRootStarted, EventName = nameof(EventIds.JobNextRootStarted), Level = LogLevel.Information,
            Message = "Job {JobId}: root task {TaskId} started after the previous root finished (sequential)")]
        public static partial void NextRootStarted(ILogger logger, string jobId, string taskId);

        [LoggerMessage(EventId = EventIds.JobTaskStartFailed, EventName = nameof(EventIds.JobTaskStartFailed), Level = LogLevel.Warning,
            Message = "Job {JobId}: task {TaskId} could not be started: {Error}")]
        public static partial void StartFailed(ILogger logger, string jobId, string taskId, string error);

        [LoggerMessage(EventId = EventIds.JobTaskStopFailed, EventName = nameof(EventIds.JobTaskStopFailed), Level = LogLevel.Warning,
            Message = "Job {JobId}: stopping task {TaskId} failed: {Error}")]
        public static partial void StopFailed(ILogger logger, string jobId, string taskId, string error);
    }
}
