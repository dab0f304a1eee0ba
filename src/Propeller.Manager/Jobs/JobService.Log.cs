using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Jobs;

internal sealed partial class JobService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.JobCreated, EventName = nameof(EventIds.JobCreated), Level = LogLevel.Information,
            Message = "Job {JobId} created with {TaskCount} tasks, execution mode {Mode}")]
        public static partial void JobCreated(ILogger logger, string jobId, int taskCount, string mode);

        [LoggerMessage(EventId = EventIds.JobStarted, EventName = nameof(EventIds.JobStarted), Level = LogLevel.Information,
            Message = "Job {JobId} started ({Mode})")]
        public static partial void JobStarted(ILogger logger, string jobId, string mode);

        [LoggerMessage(EventId = EventIds.JobStartFailed, EventName = nameof(EventIds.JobStartFailed), Level = LogLevel.Warning,
            Message = "Job {JobId} could not be started; its running tasks are stopped: {Error}")]
        public static partial void JobStartFailed(ILogger logger, string jobId, string error);

        [LoggerMessage(EventId = EventIds.JobStopped, EventName = nameof(EventIds.JobStopped), Level = LogLevel.Information,
            Message = "Job {JobId} stopped")]
        public static partial void JobStopped(ILogger logger, string jobId);
    }
}
