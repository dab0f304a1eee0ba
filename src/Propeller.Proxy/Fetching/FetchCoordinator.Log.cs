using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;

namespace Propeller.Proxy.Fetching;

internal sealed partial class FetchCoordinator
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.RepublishScheduled, LogLevel.Debug, "Publishing {AppName} once more for requests that arrived while it was being published")]
        public static partial void RepublishStarting(ILogger logger, string appName);

        [LoggerMessage(EventIds.FetchFailed, LogLevel.Warning, "Fetching {AppName} failed: {Reason}")]
        public static partial void FetchFailed(ILogger logger, string appName, string reason);

        [LoggerMessage(EventIds.UnchangedReplied, LogLevel.Debug, "{AppName} still resolves to {Digest}: told its holders it is unchanged")]
        public static partial void UnchangedReplied(ILogger logger, string appName, string digest);

        [LoggerMessage(EventIds.ArtifactPublished, LogLevel.Information, "Published {AppName} ({Digest}, {Size} bytes) as {Chunks} chunks for {Requesters} request(s)")]
        public static partial void ArtifactPublished(ILogger logger, string appName, string digest, int size, int chunks, int requesters);

        [LoggerMessage(EventIds.DrainTimedOut, LogLevel.Warning, "Shutdown timeout reached with {Jobs} fetch job(s) unfinished; cancelling them")]
        public static partial void DrainTimedOut(ILogger logger, int jobs);

        [LoggerMessage(EventIds.JobCancelledAtShutdown, LogLevel.Warning, "Fetch of {AppName} cancelled by shutdown")]
        public static partial void JobCancelledAtShutdown(ILogger logger, string appName);

        [LoggerMessage(EventIds.JobCrashed, LogLevel.Error, "Fetch job for {AppName} failed unexpectedly")]
        public static partial void JobCrashed(ILogger logger, string appName, Exception exception);
    }
}
