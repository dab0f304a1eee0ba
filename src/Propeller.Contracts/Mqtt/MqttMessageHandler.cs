namespace Propeller.Contracts.Mqtt;

/// <summary>Handles one incoming message; exceptions are logged and never reach the client.</summary>
public delegate Task MqttMessageHandler(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
