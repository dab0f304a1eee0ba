using MQTTnet.Protocol;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Messaging;

/// <summary>The proplet's MQTT session: entity id as client id and username, API key as password, and a Last Will.</summary>
internal static class PropletMqttOptions
{
    public static MqttConnectionOptions Create(PropletOptions options, TopicBuilder topics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topics);
        return new MqttConnectionOptions
        {
            Address = options.MqttAddress,
            ClientId = options.PropletId,
            Username = options.PropletId,
            Password = options.Credentials.ApiKey,
            QualityOfService = options.MqttQos,
            KeepAlive = options.MqttKeepAlive,
            MaxInflightPublishes = options.MqttMaxInflight,
            TlsCaCertPath = options.MqttTlsCaCert,
            TlsClientCertPath = options.MqttTlsClientCert,
            TlsClientKeyPath = options.MqttTlsClientKey,
            TlsInsecureSkipVerify = options.MqttTlsInsecureSkipVerify,

            // DECISIONS §4 Proplet 1: the broker tells the manager at once when this proplet drops off.
            Will = new MqttWill(
                topics.PropletAlive,
                PropellerJson.ToUtf8(Heartbeats.Offline(options), PropellerJson.Context.HeartbeatMessage),
                MqttQualityOfServiceLevel.AtLeastOnce),
        };
    }
}
