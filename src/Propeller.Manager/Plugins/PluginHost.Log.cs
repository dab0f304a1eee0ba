using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Plugins;

internal sealed partial class PluginHost
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PluginDenied, EventName = nameof(EventIds.PluginDenied), Level = LogLevel.Information,
            Message = "Plugin {Plugin} refused {Action} of task {TaskId}: {Reason}")]
        public static partial void Denied(ILogger logger, string plugin, string action, string taskId, string reason);

        [LoggerMessage(EventId = EventIds.PluginCallFailed, EventName = nameof(EventIds.PluginCallFailed), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} failed in {Hook}: {Reason}")]
        public static partial void CallFailed(ILogger logger, string plugin, string hook, string reason);

        [LoggerMessage(EventId = EventIds.PluginEnrichFailed, EventName = nameof(EventIds.PluginEnrichFailed), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} could not enrich task {TaskId} and is skipped: {Reason}")]
        public static partial void EnrichFailed(ILogger logger, string plugin, string taskId, string reason);

        [LoggerMessage(EventId = EventIds.PluginNotificationFailed, EventName = nameof(EventIds.PluginNotificationFailed), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} failed in {Hook} for task {TaskId}: {Reason}")]
        public static partial void NotificationFailed(ILogger logger, string plugin, string hook, string taskId, string reason);

        [LoggerMessage(EventId = EventIds.PluginEnriched, EventName = nameof(EventIds.PluginEnriched), Level = LogLevel.Debug,
            Message = "Plugins enriched task {TaskId}")]
        public static partial void Enriched(ILogger logger, string taskId);

        [LoggerMessage(EventId = EventIds.PluginPriorityIgnored, EventName = nameof(EventIds.PluginPriorityIgnored), Level = LogLevel.Warning,
            Message = "Plugin {Plugin} answered priority {Priority} for task {TaskId}, outside 0-100; ignored")]
        public static partial void PriorityIgnored(ILogger logger, string plugin, string taskId, int priority);
    }
}
