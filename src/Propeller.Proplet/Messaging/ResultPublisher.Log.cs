using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Messaging;

internal sealed partial class ResultPublisher
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.ResultPublished, LogLevel.Debug, "Published the result of task {TaskId} (success: {Success})")]
        public static partial void Published(ILogger logger, string taskId, bool success);

        [LoggerMessage(EventIds.ResultPublishFailed, LogLevel.Warning, "Publishing the result of task {TaskId} failed (attempt {Attempt}): {Reason}; retrying in {DelaySeconds} s")]
        public static partial void PublishFailed(ILogger logger, string taskId, int attempt, string reason, double delaySeconds);

        [LoggerMessage(EventIds.ResultDropped, LogLevel.Error, "The result of task {TaskId} was not published after {Attempts} attempt(s): {Reason}")]
        public static partial void Dropped(ILogger logger, string taskId, int attempts, string reason);
    }
}
