using System.Net;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Diagnostics;

namespace Propeller.Broker.Transport;

internal sealed partial class BrokerTcpAdapter
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AcceptFailed, EventName = nameof(EventIds.AcceptFailed), Level = LogLevel.Warning,
            Message = "Accepting a TCP connection on {EndPoint} failed; still listening")]
        public static partial void AcceptFailed(ILogger logger, IPEndPoint? endPoint, Exception exception);

        [LoggerMessage(EventId = EventIds.ConnectionEndedAbruptly, EventName = nameof(EventIds.ConnectionEndedAbruptly), Level = LogLevel.Debug,
            Message = "Connection from {RemoteEndPoint} ended abruptly")]
        public static partial void ConnectionEndedAbruptly(ILogger logger, EndPoint? remoteEndPoint, Exception exception);

        [LoggerMessage(EventId = EventIds.ConnectionLimitReached, EventName = nameof(EventIds.ConnectionLimitReached), Level = LogLevel.Warning,
            Message = "Closed the connection from {RemoteEndPoint} at accept: {MaxConnections} connections are already open")]
        public static partial void ConnectionLimitReached(ILogger logger, EndPoint? remoteEndPoint, int maxConnections);

        // Reason only, no stack trace: these come from strangers on the network and are routine.
        [LoggerMessage(EventId = EventIds.TlsHandshakeFailed, EventName = nameof(EventIds.TlsHandshakeFailed), Level = LogLevel.Warning,
            Message = "TLS handshake with {RemoteEndPoint} failed, connection closed: {Reason}")]
        public static partial void TlsHandshakeFailed(ILogger logger, EndPoint? remoteEndPoint, string reason);
    }
}
