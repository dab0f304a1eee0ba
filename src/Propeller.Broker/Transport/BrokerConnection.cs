using System.Net;
using MQTTnet.Packets;

namespace Propeller.Broker.Transport;

/// <summary>What the broker knows about one TCP connection, shared by its channel and adapter.</summary>
internal sealed class BrokerConnection(EndPoint? remoteEndPoint)
{
    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>The first packet of the connection, once it has arrived; carries the Last Will.</summary>
    public MqttConnectPacket? ConnectPacket { get; set; }

    /// <summary>Who to name in logs: the claimed entity id (MQTT username) once CONNECT arrived.</summary>
    public string Describe() => ConnectPacket?.Username is { Length: > 0 } user ? user : $"(no username, {RemoteEndPoint})";
}
