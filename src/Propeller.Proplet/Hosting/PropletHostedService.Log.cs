using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Hosting;

internal sealed partial class PropletHostedService
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.PropletStarting, LogLevel.Information, "Proplet {PropletId} starting: broker {Address}, topics {BaseTopic}/")]
        public static partial void Starting(ILogger logger, string propletId, string address, string baseTopic);

        [LoggerMessage(EventIds.PropletStopped, LogLevel.Information, "Proplet {PropletId} stopped")]
        public static partial void Stopped(ILogger logger, string propletId);

        [LoggerMessage(EventIds.MqttCertificateCheckDisabled, LogLevel.Warning, "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY is set: the broker's TLS certificate is not checked")]
        public static partial void CertificateCheckDisabled(ILogger logger);

        [LoggerMessage(EventIds.DiscoveryPublished, LogLevel.Debug, "Announced proplet {PropletId}")]
        public static partial void DiscoveryPublished(ILogger logger, string propletId);

        [LoggerMessage(EventIds.DiscoveryFailed, LogLevel.Warning, "Publishing discovery failed: {Reason}")]
        public static partial void DiscoveryFailed(ILogger logger, string reason);

        [LoggerMessage(EventIds.HeartbeatFailed, LogLevel.Warning, "Publishing a heartbeat to {Topic} failed: {Reason}")]
        public static partial void HeartbeatFailed(ILogger logger, string topic, string reason);

        [LoggerMessage(EventIds.SystemMetricsFailed, LogLevel.Warning, "Publishing system metrics to {Topic} failed: {Reason}")]
        public static partial void SystemMetricsFailed(ILogger logger, string topic, string reason);

        [LoggerMessage(EventIds.OfflineHeartbeatFailed, LogLevel.Warning, "Publishing the offline notice failed: {Reason}")]
        public static partial void OfflineNoticeFailed(ILogger logger, string reason);

        [LoggerMessage(EventIds.DiscoverRequested, LogLevel.Information, "Manager {ManagerId} asked for discovery; announcing")]
        public static partial void DiscoverRequested(ILogger logger, string managerId);

        [LoggerMessage(EventIds.MalformedDiscoverRequest, LogLevel.Warning, "Dropping malformed discover request on {Topic}: {Reason}")]
        public static partial void MalformedDiscoverRequest(ILogger logger, string topic, string? reason);
    }
}
