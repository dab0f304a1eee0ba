using System.Text.Json;
using MQTTnet.Protocol;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Hosting;

namespace Propeller.Manager.Messaging;

/// <summary>The manager's MQTT connection settings (manager-reference §8.4 "MQTT client settings").</summary>
internal static class ManagerMqttConnection
{
    public static MqttConnectionOptions CreateOptions(ManagerOptions options, TopicBuilder topics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topics);
        var credentials = options.Credentials;
        return new MqttConnectionOptions
        {
            Address = options.MqttAddress,
            ClientId = credentials.EntityId,
            Username = credentials.EntityId,
            Password = credentials.ApiKey,
            QualityOfService = MqttConnectionOptions.ParseQos(options.MqttQos),
            PublishTimeout = options.MqttTimeout,
            MaxInflightPublishes = options.MqttMaxInflight,
            Will = new MqttWill(topics.PropletAlive, LastWill(credentials.EntityId), MqttQualityOfServiceLevel.AtMostOnce),
            TlsCaCertPath = options.MqttTlsCaCert,
            TlsClientCertPath = options.MqttTlsClientCert,
            TlsClientKeyPath = options.MqttTlsClientKey,
            TlsInsecureSkipVerify = options.MqttTlsInsecureSkipVerify,
        };
    }

    /// <summary><c>{"status":"offline","proplet_id":entity}</c>, exactly as the Go manager registers it.</summary>
    public static byte[] LastWill(string entityId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", HeartbeatMessage.OfflineStatus);
            writer.WriteString("proplet_id", entityId);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
