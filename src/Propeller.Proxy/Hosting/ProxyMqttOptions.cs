using System.Text.Json;
using MQTTnet.Protocol;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;

namespace Propeller.Proxy.Hosting;

/// <summary>The proxy's MQTT session: entity id as client id and username, API key as password, and the original Last Will.</summary>
internal static class ProxyMqttOptions
{
    public static MqttConnectionOptions Create(ProxyOptions options, TopicBuilder topics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topics);
        return new MqttConnectionOptions
        {
            Address = options.MqttAddress,
            ClientId = options.EntityId,
            Username = options.EntityId,
            Password = options.Credentials.ApiKey,
            QualityOfService = MqttConnectionOptions.ParseQos(options.MqttQos),
            PublishTimeout = options.MqttTimeout,
            MaxInflightPublishes = options.MqttMaxInflight,
            TlsCaCertPath = options.MqttTlsCaCert,
            TlsClientCertPath = options.MqttTlsClientCert,
            TlsClientKeyPath = options.MqttTlsClientKey,
            TlsInsecureSkipVerify = options.MqttTlsInsecureSkipVerify,

            // Kept from the Go proxy for wire compatibility; our manager ignores a Last Will of an id it does not know.
            Will = new MqttWill(topics.PropletAlive, LastWill(options.EntityId), MqttQualityOfServiceLevel.AtMostOnce),
        };
    }

    /// <summary><c>{"status":"offline","proplet_id":entity}</c>, as the Go proxy registers it.</summary>
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
