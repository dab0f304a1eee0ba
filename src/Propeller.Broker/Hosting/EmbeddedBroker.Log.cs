using System.Net;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using Propeller.Broker.Diagnostics;

namespace Propeller.Broker.Hosting;

internal sealed partial class EmbeddedBroker
{
    // Entity ids are logged; API keys never are.
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BrokerStarted, EventName = nameof(EventIds.BrokerStarted), Level = LogLevel.Information,
            Message = "MQTT broker listening on {Listeners} (max packet {MaxPacketSize} bytes, max CONNECT {MaxConnectPacketSize} bytes, max connections {MaxConnections}, anonymous {AllowAnonymous})")]
        public static partial void Started(ILogger logger, string listeners, int maxPacketSize, int maxConnectPacketSize, int maxConnections, bool allowAnonymous);

        [LoggerMessage(EventId = EventIds.BrokerStopped, EventName = nameof(EventIds.BrokerStopped), Level = LogLevel.Information,
            Message = "MQTT broker on {Listeners} stopped")]
        public static partial void Stopped(ILogger logger, string listeners);

        [LoggerMessage(EventId = EventIds.TlsCertificateLoaded, EventName = nameof(EventIds.TlsCertificateLoaded), Level = LogLevel.Information,
            Message = "TLS listener serves certificate {Subject} (thumbprint {Thumbprint}, valid until {NotAfter:u})")]
        public static partial void TlsCertificateLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

        [LoggerMessage(EventId = EventIds.SessionExpired, EventName = nameof(EventIds.SessionExpired), Level = LogLevel.Information,
            Message = "Session of client {ClientId} expired after {SessionExpiry} without a connection")]
        public static partial void SessionExpired(ILogger logger, string clientId, TimeSpan sessionExpiry);

        [LoggerMessage(EventId = EventIds.ClientConnected, EventName = nameof(EventIds.ClientConnected), Level = LogLevel.Information,
            Message = "Entity {EntityId} connected as client {ClientId} from {RemoteEndPoint}")]
        public static partial void ClientConnected(ILogger logger, string entityId, string clientId, EndPoint? remoteEndPoint);

        [LoggerMessage(EventId = EventIds.ClientDisconnected, EventName = nameof(EventIds.ClientDisconnected), Level = LogLevel.Information,
            Message = "Entity {EntityId} (client {ClientId}) disconnected ({DisconnectType})")]
        public static partial void ClientDisconnected(ILogger logger, string entityId, string clientId, MqttClientDisconnectType disconnectType);

        [LoggerMessage(EventId = EventIds.AuthenticationFailed, EventName = nameof(EventIds.AuthenticationFailed), Level = LogLevel.Warning,
            Message = "Rejected CONNECT of entity {EntityId} (client {ClientId}, from {RemoteEndPoint}): unknown entity or wrong API key")]
        public static partial void AuthenticationFailed(ILogger logger, string entityId, string clientId, EndPoint? remoteEndPoint);

        [LoggerMessage(EventId = EventIds.AnonymousConnectionRejected, EventName = nameof(EventIds.AnonymousConnectionRejected), Level = LogLevel.Warning,
            Message = "Rejected CONNECT without credentials (client {ClientId}, from {RemoteEndPoint})")]
        public static partial void AnonymousRejected(ILogger logger, string clientId, EndPoint? remoteEndPoint);

        [LoggerMessage(EventId = EventIds.WillTopicDenied, EventName = nameof(EventIds.WillTopicDenied), Level = LogLevel.Warning,
            Message = "Rejected CONNECT of entity {EntityId} (client {ClientId}): Last Will topic {WillTopic} is outside its channels")]
        public static partial void WillTopicDenied(ILogger logger, string entityId, string clientId, string? willTopic);

        [LoggerMessage(EventId = EventIds.ClientIdOwnedByOtherEntity, EventName = nameof(EventIds.ClientIdOwnedByOtherEntity), Level = LogLevel.Warning,
            Message = "Rejected CONNECT of entity {EntityId}: client id {ClientId} belongs to the session of entity {OwnerEntityId}")]
        public static partial void ClientIdOwnedByOtherEntity(ILogger logger, string entityId, string clientId, string ownerEntityId);

        [LoggerMessage(EventId = EventIds.ClientIdOfAnotherEntity, EventName = nameof(EventIds.ClientIdOfAnotherEntity), Level = LogLevel.Warning,
            Message = "Rejected CONNECT of entity {EntityId}: client id {ClientId} is the id of another entity")]
        public static partial void ClientIdOfAnotherEntity(ILogger logger, string entityId, string clientId);

        [LoggerMessage(EventId = EventIds.PublishDenied, EventName = nameof(EventIds.PublishDenied), Level = LogLevel.Warning,
            Message = "Dropped PUBLISH of entity {EntityId} (client {ClientId}) to {Topic}: not under a granted m/{{tenant}}/c/{{channel}}/")]
        public static partial void PublishDenied(ILogger logger, string entityId, string clientId, string? topic);

        [LoggerMessage(EventId = EventIds.SubscriptionDenied, EventName = nameof(EventIds.SubscriptionDenied), Level = LogLevel.Warning,
            Message = "Refused SUBSCRIBE of entity {EntityId} (client {ClientId}) to {TopicFilter}: not under a granted m/{{tenant}}/c/{{channel}}/")]
        public static partial void SubscriptionDenied(ILogger logger, string entityId, string clientId, string? topicFilter);
    }
}
