using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tasks;

internal sealed partial class TaskInvoker
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.InvokeSent, EventName = nameof(EventIds.InvokeSent), Level = LogLevel.Debug,
            Message = "Invocation {InvocationId} of task {TaskId} sent to proplet {PropletId}")]
        public static partial void InvokeSent(ILogger logger, string invocationId, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.InvokeAnswered, EventName = nameof(EventIds.InvokeAnswered), Level = LogLevel.Information,
            Message = "Invocation {InvocationId} of task {TaskId} answered by proplet {PropletId}")]
        public static partial void InvokeAnswered(ILogger logger, string invocationId, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.InvokeFailed, EventName = nameof(EventIds.InvokeFailed), Level = LogLevel.Warning,
            Message = "Invocation {InvocationId} of task {TaskId} failed on proplet {PropletId}: {Error}")]
        public static partial void InvokeFailed(ILogger logger, string invocationId, string taskId, string propletId, string error);

        [LoggerMessage(EventId = EventIds.InvokeTimedOut, EventName = nameof(EventIds.InvokeTimedOut), Level = LogLevel.Warning,
            Message = "Invocation {InvocationId} of task {TaskId} got no answer from proplet {PropletId} within {Timeout}")]
        public static partial void InvokeTimedOut(ILogger logger, string invocationId, string taskId, string propletId, string timeout);

        [LoggerMessage(EventId = EventIds.InvokeNotPrecompiled, EventName = nameof(EventIds.InvokeNotPrecompiled), Level = LogLevel.Debug,
            Message = "Proplet {PropletId} has not precompiled task {TaskId}; trying the next proplet")]
        public static partial void NotPrecompiled(ILogger logger, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.LatentRedeploySent, EventName = nameof(EventIds.LatentRedeploySent), Level = LogLevel.Information,
            Message = "No proplet had task {TaskId} precompiled; re-deployed it to {Count} proplet(s)")]
        public static partial void RedeploySent(ILogger logger, string taskId, int count);

        [LoggerMessage(EventId = EventIds.LatentRedeployFailed, EventName = nameof(EventIds.LatentRedeployFailed), Level = LogLevel.Warning,
            Message = "Re-deploying task {TaskId} to proplet {PropletId} failed: {Error}")]
        public static partial void RedeployFailed(ILogger logger, string taskId, string propletId, string error);
    }
}
