using Microsoft.Extensions.Logging;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Fetching;

namespace Propeller.Proxy.Hosting;

internal sealed partial class ProxyHostedService
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.ProxyStarting, LogLevel.Information, "Proxy {EntityId} starting: broker {Address}, topics {BaseTopic}/, chunks of {ChunkSize} bytes")]
        public static partial void Starting(ILogger logger, string entityId, string address, string baseTopic, int chunkSize);

        [LoggerMessage(EventIds.ProxyStopped, LogLevel.Information, "Proxy {EntityId} stopped")]
        public static partial void Stopped(ILogger logger, string entityId);

        [LoggerMessage(EventIds.MqttCertificateCheckDisabled, LogLevel.Warning, "PROXY_MQTT_TLS_INSECURE_SKIP_VERIFY is set: the broker's TLS certificate is not checked")]
        public static partial void CertificateCheckDisabled(ILogger logger);

        [LoggerMessage(EventIds.MalformedRequest, LogLevel.Warning, "Dropped a message on {Topic}: {Reason}")]
        public static partial void MalformedRequest(ILogger logger, string topic, string reason);

        [LoggerMessage(EventIds.RequestQueued, LogLevel.Debug, "Queued a fetch of {AppName} (requester holds {Digest})")]
        public static partial void RequestQueued(ILogger logger, string appName, string? digest);

        [LoggerMessage(EventIds.RequestJoined, LogLevel.Debug, "A request for {AppName} shares the job already there ({Admission})")]
        public static partial void RequestJoined(ILogger logger, string appName, FetchAdmission admission);

        [LoggerMessage(EventIds.QueueFull, LogLevel.Warning, "Refused a fetch of {AppName}: {Capacity} fetches are already queued")]
        public static partial void QueueFull(ILogger logger, string appName, int capacity);

        [LoggerMessage(EventIds.RequestWhileStopping, LogLevel.Debug, "Ignored a fetch of {AppName}: the proxy is shutting down")]
        public static partial void RequestWhileStopping(ILogger logger, string appName);
    }
}
