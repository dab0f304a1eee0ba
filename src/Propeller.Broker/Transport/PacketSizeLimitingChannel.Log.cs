using System.Net;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Diagnostics;

namespace Propeller.Broker.Transport;

internal sealed partial class PacketSizeLimitingChannel
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.PacketTooLarge, EventName = nameof(EventIds.PacketTooLarge), Level = LogLevel.Warning,
            Message = "Closing the connection of {EntityId}: it sent a packet of {PacketSize} bytes, above the maximum of {MaxPacketSize} bytes")]
        public static partial void PacketTooLarge(ILogger logger, string entityId, long packetSize, int maxPacketSize);

        // The CONNECT has not been decoded, so only the address is known.
        [LoggerMessage(EventId = EventIds.ConnectPacketTooLarge, EventName = nameof(EventIds.ConnectPacketTooLarge), Level = LogLevel.Warning,
            Message = "Closing the connection from {RemoteEndPoint}: its first packet announces {PacketSize} bytes, above the CONNECT maximum of {MaxConnectPacketSize} bytes")]
        public static partial void ConnectPacketTooLarge(ILogger logger, EndPoint? remoteEndPoint, long packetSize, int maxConnectPacketSize);
    }
}
