using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Runtimes.Host;

internal sealed partial class HostProcessRuntime
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.HostProcessStarted, LogLevel.Debug, "Task {TaskId}: started {Runtime} as process {ProcessId}")]
        public static partial void ProcessStarted(ILogger logger, string taskId, string runtime, int processId);

        [LoggerMessage(EventIds.HostProcessKilled, LogLevel.Information, "Task {TaskId}: killed external runtime process {ProcessId} and its children")]
        public static partial void ProcessKilled(ILogger logger, string taskId, int processId);

        [LoggerMessage(EventIds.HostProcessOutputIncomplete, LogLevel.Warning, "Task {TaskId}: the output pipes of process {ProcessId} stayed open after it exited; using the output read so far")]
        public static partial void OutputIncomplete(ILogger logger, string taskId, int processId);

        [LoggerMessage(EventIds.HostTempFileNotDeleted, LogLevel.Warning, "Task {TaskId}: could not delete the temporary Wasm file {Path}")]
        public static partial void TempFileNotDeleted(ILogger logger, string taskId, string path, Exception exception);
    }
}
