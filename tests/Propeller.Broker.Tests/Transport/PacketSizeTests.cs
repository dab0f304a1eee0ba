using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Transport;

public sealed class PacketSizeTests
{
    private const int MaxPacketSize = 64 * 1024;

    [Fact]
    public async Task Publish_OverMaxPacketSize_DisconnectsSenderWhileOthersStillFlow()
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.MaxPacketSize = MaxPacketSize);
        var subscriber = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(subscriber);
        await subscriber.SubscribeAsync(host.Topic("#"));
        var sender = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var disconnected = WhenDisconnected(sender);
        var other = await host.ConnectAsync(host.Fleet.Proplets[1]);

        // The broker may reset the socket while the client is still writing the body.
        await Record.ExceptionAsync(() => sender.PublishBinaryAsync(host.Topic("big"), new byte[100 * 1024]));
        await disconnected.WaitAsync(TestTimeouts.Wait);
        await other.PublishStringAsync(host.Topic("small"), "small", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("small", (await sink.WaitForAsync(host.Topic("small"))).Text);
        Assert.DoesNotContain(sink.Messages, m => m.Topic == host.Topic("big"));
        Assert.False(sender.IsConnected);
        var logged = await host.Logs.WaitForEventAsync(EventIds.PacketTooLarge);
        Assert.Contains(host.Fleet.Proplets[0].Id, logged.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task Publish_AtTheLimit_IsDeliveredAndOneByteMoreIsNot(int bytesOverLimit, bool delivered)
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.MaxPacketSize = MaxPacketSize);
        var subscriber = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(subscriber);
        await subscriber.SubscribeAsync(host.Topic("#"));
        var sender = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var topic = host.Topic("edge");
        var payload = new byte[QoS0PayloadFilling(MaxPacketSize + bytesOverLimit, topic)];

        await Record.ExceptionAsync(() => sender.PublishBinaryAsync(topic, payload));
        var other = await host.ConnectAsync(host.Fleet.Proplets[1]);
        if (!delivered)
        {
            await WhenDisconnected(sender).WaitAsync(TestTimeouts.Wait);
        }

        await other.PublishStringAsync(host.Topic("sentinel"), "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);
        await sink.WaitForAsync(host.Topic("sentinel"));
        if (delivered)
        {
            Assert.Equal(payload.Length, (await sink.WaitForAsync(topic)).Payload.Length);
            Assert.True(sender.IsConnected);
        }
        else
        {
            Assert.DoesNotContain(sink.Messages, m => m.Topic == topic);
        }
    }

    [Fact]
    public async Task Connect_OverMaxPacketSize_IsClosedWithoutAnError()
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.MaxPacketSize = MaxPacketSize);
        var proplet = host.Fleet.Proplets[0];
        var connect = new MqttConnectPacket
        {
            ClientId = proplet.Id,
            Username = proplet.Id,
            Password = Encoding.UTF8.GetBytes(proplet.ApiKey),
            CleanSession = true,
            WillFlag = true,
            WillTopic = host.Topic("control/proplet/alive"),
            WillMessage = new byte[MaxPacketSize],
        };

        await Assert.ThrowsAnyAsync<Exception>(() => RawMqttConnection.ConnectAsync(host.Port, connect));

        // The CONNECT is refused before it is decoded, so the log can only name the address.
        var logged = await host.Logs.WaitForEventAsync(EventIds.ConnectPacketTooLarge);
        Assert.Contains("127.0.0.1", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_AnnouncingOneMebibyte_IsCutOffBeforeItsBodyWhileANormalClientConnects()
    {
        await using var host = await BrokerTestHost.StartAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TestTimeouts.Wait);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Port), timeout.Token);

        // CONNECT fixed header announcing 1 MiB (within MaxPacketSize), and not one byte of the body.
        await socket.SendAsync(FixedHeader(0x10, 1024 * 1024), timeout.Token);
        var normal = await host.ConnectAsync(host.Fleet.Proplets[0]);

        Assert.Equal(0, await ReceiveUntilClosedAsync(socket, timeout.Token));
        Assert.True(normal.IsConnected);
        var logged = await host.Logs.WaitForEventAsync(EventIds.ConnectPacketTooLarge);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("65536", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithinMaxConnectPacketSize_ThenLargerPublish_IsDelivered()
    {
        // Only the first packet has the CONNECT limit; later ones may use all of MaxPacketSize.
        await using var host = await BrokerTestHost.StartAsync(o =>
        {
            o.MaxPacketSize = MaxPacketSize;
            o.MaxConnectPacketSize = 2048;
        });
        var subscriber = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(subscriber);
        await subscriber.SubscribeAsync(host.Topic("#"));
        var sender = await host.ConnectAsync(host.Fleet.Proplets[0]);

        await sender.PublishBinaryAsync(host.Topic("big"), new byte[32 * 1024], MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(32 * 1024, (await sink.WaitForAsync(host.Topic("big"))).Payload.Length);
        Assert.Empty(host.Logs.WithEventId(EventIds.ConnectPacketTooLarge));
    }

    private static byte[] FixedHeader(byte typeAndFlags, int remainingLength)
    {
        var header = new List<byte> { typeAndFlags };
        do
        {
            var digit = (byte)(remainingLength % 128);
            remainingLength /= 128;
            header.Add(remainingLength > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (remainingLength > 0);

        return [.. header];
    }

    // 0 once the broker closed the connection (a reset counts as closed).
    private static async Task<int> ReceiveUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[16], cancellationToken);
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    private static Task WhenDisconnected(IMqttClient client)
    {
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };

        return client.IsConnected ? disconnected.Task : Task.CompletedTask;
    }

    // Payload length that makes an MQTT 3.1.1 QoS 0 PUBLISH exactly packetSize bytes long.
    private static int QoS0PayloadFilling(int packetSize, string topic)
    {
        var variableHeader = 2 + Encoding.UTF8.GetByteCount(topic);
        for (var lengthBytes = 1; lengthBytes <= 4; lengthBytes++)
        {
            var remaining = packetSize - 1 - lengthBytes;
            if (remaining < 128 << (7 * (lengthBytes - 1)) && (lengthBytes == 1 || remaining >= 128 << (7 * (lengthBytes - 2))))
            {
                return remaining - variableHeader;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(packetSize));
    }
}
