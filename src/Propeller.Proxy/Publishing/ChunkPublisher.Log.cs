using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Publishing;

internal sealed partial class ChunkPublisher
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.PublishRetry, LogLevel.Warning, "Publish to {Topic} failed (attempt {Attempt}): {Reason}; retrying")]
        public static partial void PublishRetry(ILogger logger, string topic, int attempt, string reason);

        [LoggerMessage(EventIds.ChunkPublishFailed, LogLevel.Error, "Chunk {Index} of {Total} of {AppName} could not be published: {Reason}")]
        public static partial void ChunkPublishFailed(ILogger logger, int index, int total, string appName, string reason);

        [LoggerMessage(EventIds.StatusPublishFailed, LogLevel.Error, "The registry/status reply for {AppName} could not be published: {Reason}")]
        public static partial void StatusPublishFailed(ILogger logger, string appName, string reason);
    }
}
