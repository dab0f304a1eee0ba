using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Hosting;

internal sealed partial class ManagerHostedService
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ManagerStarting, EventName = nameof(EventIds.ManagerStarting), Level = LogLevel.Information,
            Message = "Manager {EntityId} starting: MQTT broker {MqttAddress}, {StorageType} storage")]
        public static partial void Starting(ILogger logger, string entityId, string mqttAddress, string storageType);

        [LoggerMessage(EventId = EventIds.AuthenticationDisabled, EventName = nameof(EventIds.AuthenticationDisabled), Level = LogLevel.Warning,
            Message = "REST API authentication is disabled (insecure-no-auth): anyone who can reach {HttpHost} controls this manager")]
        public static partial void AuthenticationDisabled(ILogger logger, string httpHost);

        [LoggerMessage(EventId = EventIds.Subscribed, EventName = nameof(EventIds.Subscribed), Level = LogLevel.Information,
            Message = "Subscribed to {TopicFilter}")]
        public static partial void Subscribed(ILogger logger, string topicFilter);

        [LoggerMessage(EventId = EventIds.InterruptedTasksRecovered, EventName = nameof(EventIds.InterruptedTasksRecovered), Level = LogLevel.Information,
            Message = "Marked {Count} task(s) interrupted by the last shutdown as Failed")]
        public static partial void InterruptedTasksRecovered(ILogger logger, int count);

        [LoggerMessage(EventId = EventIds.DiscoverRequestFailed, EventName = nameof(EventIds.DiscoverRequestFailed), Level = LogLevel.Warning,
            Message = "Could not ask proplets to announce themselves: {Reason}; they appear with their next heartbeat")]
        public static partial void DiscoverRequestFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = EventIds.ShutdownFailed, EventName = nameof(EventIds.ShutdownFailed), Level = LogLevel.Error,
            Message = "Graceful shutdown of running tasks failed; they are recovered at the next start")]
        public static partial void ShutdownFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = EventIds.ManagerStopped, EventName = nameof(EventIds.ManagerStopped), Level = LogLevel.Information,
            Message = "Manager stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
