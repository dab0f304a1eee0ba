using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Scheduling;

internal sealed partial class PropletLossMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PropletLost, EventName = nameof(EventIds.PropletLost), Level = LogLevel.Warning,
            Message = "Proplet {PropletId} is gone while running task {TaskId}")]
        public static partial void PropletLost(ILogger logger, string propletId, string taskId);

        [LoggerMessage(EventId = EventIds.TaskReplacementFailed, EventName = nameof(EventIds.TaskReplacementFailed), Level = LogLevel.Error,
            Message = "Re-placing task {TaskId} failed")]
        public static partial void ReplacementFailed(ILogger logger, string taskId, Exception exception);

        [LoggerMessage(EventId = EventIds.PropletLossCheckFailed, EventName = nameof(EventIds.PropletLossCheckFailed), Level = LogLevel.Error,
            Message = "Checking running tasks for lost proplets failed")]
        public static partial void CheckFailed(ILogger logger, Exception exception);
    }
}
