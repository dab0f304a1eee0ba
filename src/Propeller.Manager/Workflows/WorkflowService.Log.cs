using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Workflows;

internal sealed partial class WorkflowService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.WorkflowCreated, EventName = nameof(EventIds.WorkflowCreated), Level = LogLevel.Information,
            Message = "Workflow {WorkflowId} created with {TaskCount} tasks")]
        public static partial void WorkflowCreated(ILogger logger, string workflowId, int taskCount);

        [LoggerMessage(EventId = EventIds.WorkflowStarted, EventName = nameof(EventIds.WorkflowStarted), Level = LogLevel.Information,
            Message = "Workflow {WorkflowId} started: {RootCount} root tasks")]
        public static partial void WorkflowStarted(ILogger logger, string workflowId, int rootCount);
    }
}
