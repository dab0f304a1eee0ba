namespace Propeller.Broker.Transport;

/// <summary>
/// Packet sizes a connection may send: the first packet (CONNECT, sent before the client is authenticated)
/// has a smaller limit than the packets after it.
/// </summary>
internal readonly record struct PacketSizeLimits(int MaxPacketSize, int MaxConnectPacketSize);
