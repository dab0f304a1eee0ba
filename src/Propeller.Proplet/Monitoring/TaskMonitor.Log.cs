using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Monitoring;

internal sealed partial class TaskMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.TaskMonitoringStarted, LogLevel.Debug, "Monitoring task {TaskId} every {IntervalSeconds} s")]
        public static partial void MonitoringStarted(ILogger logger, string taskId, double intervalSeconds);

        [LoggerMessage(EventIds.TaskMonitoringStopped, LogLevel.Debug, "Stopped monitoring task {TaskId} after {Samples} published sample(s)")]
        public static partial void MonitoringStopped(ILogger logger, string taskId, int samples);

        [LoggerMessage(EventIds.TaskMetricsPublishFailed, LogLevel.Warning, "Publishing task metrics of {TaskId} failed: {Reason}")]
        public static partial void PublishFailed(ILogger logger, string taskId, string reason);

        [LoggerMessage(EventIds.TaskSamplingFailed, LogLevel.Debug, "Sampling task {TaskId} ended: {Reason}")]
        public static partial void SamplingFailed(ILogger logger, string taskId, string reason);

        [LoggerMessage(EventIds.TaskMonitoringCrashed, LogLevel.Error, "Monitoring of task {TaskId} failed unexpectedly; the task runs on unmonitored")]
        public static partial void MonitoringCrashed(ILogger logger, string taskId, Exception exception);
    }
}
