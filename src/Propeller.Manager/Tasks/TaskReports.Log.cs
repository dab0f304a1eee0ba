using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tasks;

internal sealed partial class TaskReports
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ResultRecorded, EventName = nameof(EventIds.ResultRecorded), Level = LogLevel.Information,
            Message = "Task {TaskId} finished as {State} (reported by proplet {PropletId})")]
        public static partial void ResultRecorded(ILogger logger, string taskId, TaskState state, string propletId);

        [LoggerMessage(EventId = EventIds.ReplayedResultIgnored, EventName = nameof(EventIds.ReplayedResultIgnored), Level = LogLevel.Debug,
            Message = "Ignored a replayed result of task {TaskId} ({State}) from proplet {PropletId}: already recorded or from an earlier run")]
        public static partial void ReplayedResultIgnored(ILogger logger, string taskId, TaskState state, string propletId);
    }
}
