using MQTTnet.Exceptions;

namespace Propeller.Broker.Transport;

/// <summary>A client announced a packet larger than the broker accepts; its connection is closed.</summary>
internal sealed class PacketTooLargeException(long packetSize, int maxPacketSize)
    : MqttCommunicationException($"Packet of {packetSize} bytes exceeds the maximum packet size of {maxPacketSize} bytes.", null!);
