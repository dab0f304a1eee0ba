using MQTTnet.Protocol;

namespace Propeller.Contracts.Mqtt;

/// <summary>How a component connects to the broker. The entity id is the client id and the username.</summary>
public sealed record MqttConnectionOptions
{
    public required string Address { get; init; }

    public required string ClientId { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    public MqttQualityOfServiceLevel QualityOfService { get; init; } = MqttQualityOfServiceLevel.ExactlyOnce;

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a publish waits for a connection before it fails.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// QoS 1/2 publishes awaiting the broker's acknowledgement at once; more wait their turn. MQTT 3.1.1 cannot
    /// tell a client the broker's window, and Mosquitto drops QoS 2 messages past its <c>max_inflight_messages</c>
    /// (default 20) while still acknowledging them, so we stay under it.
    /// </summary>
    public int MaxInflightPublishes { get; init; } = 16;

    /// <summary>Incoming messages handled at once; each message runs in its own task.</summary>
    public int MaxConcurrentHandlers { get; init; } = 64;

    public MqttWill? Will { get; init; }

    public string? TlsCaCertPath { get; init; }

    public string? TlsClientCertPath { get; init; }

    public string? TlsClientKeyPath { get; init; }

    public bool TlsInsecureSkipVerify { get; init; }

    /// <summary>Maps the original's QoS setting: 0 and 1 as given, anything else 2.</summary>
    public static MqttQualityOfServiceLevel ParseQos(int value) => value switch
    {
        0 => MqttQualityOfServiceLevel.AtMostOnce,
        1 => MqttQualityOfServiceLevel.AtLeastOnce,
        _ => MqttQualityOfServiceLevel.ExactlyOnce,
    };
}
