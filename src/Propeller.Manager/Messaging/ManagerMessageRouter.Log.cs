using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Messaging;

internal sealed partial class ManagerMessageRouter
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MalformedMessage, EventName = nameof(EventIds.MalformedMessage), Level = LogLevel.Warning,
            Message = "Dropped a malformed message on {Topic}: {Error}. Payload: {Payload}")]
        public static partial void MalformedMessage(ILogger logger, string topic, string error, string payload);

        [LoggerMessage(EventId = EventIds.MessageMissingField, EventName = nameof(EventIds.MessageMissingField), Level = LogLevel.Warning,
            Message = "Dropped a message on {Topic} without {Field}. Payload: {Payload}")]
        public static partial void MissingField(ILogger logger, string topic, string field, string payload);

        [LoggerMessage(EventId = EventIds.ResultForUnknownTask, EventName = nameof(EventIds.ResultForUnknownTask), Level = LogLevel.Warning,
            Message = "Result for unknown task {TaskId} from proplet {PropletId} dropped. Payload: {Payload}")]
        public static partial void ResultForUnknownTask(ILogger logger, string taskId, string propletId, string payload);

        [LoggerMessage(EventId = EventIds.MetricsForUnknownTask, EventName = nameof(EventIds.MetricsForUnknownTask), Level = LogLevel.Warning,
            Message = "Metrics for unknown task {TaskId} from proplet {PropletId} dropped")]
        public static partial void MetricsForUnknownTask(ILogger logger, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.MetricsForUnknownProplet, EventName = nameof(EventIds.MetricsForUnknownProplet), Level = LogLevel.Warning,
            Message = "Metrics from unknown proplet {PropletId} dropped")]
        public static partial void MetricsForUnknownProplet(ILogger logger, string propletId);

        [LoggerMessage(EventId = EventIds.OwnMessageIgnored, EventName = nameof(EventIds.OwnMessageIgnored), Level = LogLevel.Debug,
            Message = "Ignored the manager's own message on {Topic}")]
        public static partial void OwnMessageIgnored(ILogger logger, string topic);

        [LoggerMessage(EventId = EventIds.InvokeResultWithoutInvocationId, EventName = nameof(EventIds.InvokeResultWithoutInvocationId), Level = LogLevel.Debug,
            Message = "Ignored an invoke result without invocation_id for task {TaskId} from proplet {PropletId}")]
        public static partial void InvokeResultWithoutInvocationId(ILogger logger, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.InvokeResultForUnknownInvocation, EventName = nameof(EventIds.InvokeResultForUnknownInvocation), Level = LogLevel.Debug,
            Message = "Invoke result for invocation {InvocationId} of task {TaskId} from proplet {PropletId} dropped: nobody is waiting for it (it came too late or twice)")]
        public static partial void InvokeResultForUnknownInvocation(ILogger logger, string invocationId, string taskId, string propletId);

        [LoggerMessage(EventId = EventIds.MessageHandlingFailed, EventName = nameof(EventIds.MessageHandlingFailed), Level = LogLevel.Error,
            Message = "Handling a message on {Topic} failed. Payload: {Payload}")]
        public static partial void MessageHandlingFailed(ILogger logger, string topic, string payload, Exception exception);
    }
}
