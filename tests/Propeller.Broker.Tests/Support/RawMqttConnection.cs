using System.Net;
using System.Net.Sockets;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Propeller.Broker.Tests.Support;

/// <summary>
/// An MQTT 3.1.1 connection on a bare socket (packets encoded by MQTTnet's formatter), so a test can end it
/// the way a crashed device does: a TCP reset, with no DISCONNECT packet.
/// </summary>
internal sealed class RawMqttConnection : IDisposable
{
    private readonly Socket _socket;

    private RawMqttConnection(Socket socket) => _socket = socket;

    /// <summary>Sends CONNECT and returns the connection with the CONNACK return code the broker answered.</summary>
    public static async Task<(RawMqttConnection Connection, MqttConnectReturnCode ReturnCode)> ConnectAsync(int port, MqttConnectPacket connect)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connection = new RawMqttConnection(socket);
        using var timeout = new CancellationTokenSource(TestTimeouts.Wait);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);

        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65535));
        await socket.SendAsync(formatter.Encode(connect).ToArray(), timeout.Token);

        // CONNACK: 0x20, remaining length 2, session-present flags, return code.
        var connAck = new byte[4];
        var read = 0;
        while (read < connAck.Length)
        {
            var n = await socket.ReceiveAsync(connAck.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                throw new IOException("The broker closed the connection before CONNACK.");
            }

            read += n;
        }

        Assert.Equal(0x20, connAck[0]);
        return (connection, (MqttConnectReturnCode)connAck[3]);
    }

    /// <summary>Ends the connection with a TCP reset, as a power loss or a killed process would.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();
}
