using MQTTnet.Protocol;

namespace Propeller.Contracts.Mqtt;

/// <summary>The Last Will the broker publishes when a client drops without a DISCONNECT.</summary>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfServiceLevel QualityOfService, bool Retain = false);
