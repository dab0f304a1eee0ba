using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Workflows;

internal sealed partial class WorkflowCoordinator
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.WorkflowTaskStarted, EventName = nameof(EventIds.WorkflowTaskStarted), Level = LogLevel.Information,
            Message = "Workflow {WorkflowId}: task {TaskId} is ready and was started")]
        public static partial void TaskStarted(ILogger logger, string workflowId, string taskId);

        [LoggerMessage(EventId = EventIds.WorkflowTaskSkipped, EventName = nameof(EventIds.WorkflowTaskSkipped), Level = LogLevel.Information,
            Message = "Workflow {WorkflowId}: task {TaskId} skipped because its run_if '{RunIf}' does not hold")]
        public static partial void TaskSkipped(ILogger logger, string workflowId, string taskId, string runIf);

        [LoggerMessage(EventId = EventIds.WorkflowTaskStartFailed, EventName = nameof(EventIds.WorkflowTaskStartFailed), Level = LogLevel.Warning,
            Message = "Workflow {WorkflowId}: ready task {TaskId} could not be started: {Error}")]
        public static partial void StartFailed(ILogger logger, string workflowId, string taskId, string error);

        [LoggerMessage(EventId = EventIds.WorkflowUnknownRunIf, EventName = nameof(EventIds.WorkflowUnknownRunIf), Level = LogLevel.Warning,
            Message = "Workflow {WorkflowId}: task {TaskId} has the unknown run_if '{RunIf}' and is skipped")]
        public static partial void UnknownRunIf(ILogger logger, string workflowId, string taskId, string runIf);
    }
}
