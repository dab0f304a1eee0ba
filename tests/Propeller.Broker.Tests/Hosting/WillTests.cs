using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

public sealed class WillTests
{
    private const string OfflinePayload = "{\"status\":\"offline\",\"proplet_id\":\"p1\",\"namespace\":\"\"}";

    [Fact]
    public async Task Will_OnAbruptDisconnect_IsDelivered()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(manager);
        await manager.SubscribeAsync(host.Topic("control/proplet/alive"));
        var proplet = host.Fleet.Proplets[0];
        var (connection, code) = await RawMqttConnection.ConnectAsync(host.Port, Connect(proplet.Id, proplet.ApiKey, host.Topic("control/proplet/alive")));

        connection.Abort();

        Assert.Equal(MqttConnectReturnCode.ConnectionAccepted, code);
        Assert.Equal(OfflinePayload, (await sink.WaitForAsync(host.Topic("control/proplet/alive"))).Text);
    }

    [Fact]
    public async Task Will_OnCleanDisconnect_IsNotDelivered()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(manager);
        await manager.SubscribeAsync(host.Topic("control/proplet/#"));
        var proplet = await host.ConnectAsync(host.Options(host.Fleet.Proplets[0])
            .WithWillTopic(host.Topic("control/proplet/alive")).WithWillPayload(OfflinePayload));

        await proplet.DisconnectAsync();
        await host.Logs.WaitForEventAsync(EventIds.ClientDisconnected, e => e.Message.Contains(host.Fleet.Proplets[0].Id, StringComparison.Ordinal));
        var other = await host.ConnectAsync(host.Fleet.Proplets[1]);
        await other.PublishStringAsync(host.Topic("control/proplet/sentinel"), "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);

        await sink.WaitForAsync(host.Topic("control/proplet/sentinel"));
        Assert.DoesNotContain(sink.Messages, m => m.Topic == host.Topic("control/proplet/alive"));
    }

    [Fact]
    public async Task Connect_WithWillOutsideGrants_IsNotAuthorized()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = host.Fleet.Proplets[0];

        var (connection, code) = await RawMqttConnection.ConnectAsync(host.Port, Connect(proplet.Id, proplet.ApiKey, BrokerTestHost.Topic(host.Other, "control/proplet/alive")));
        using (connection)
        {
            Assert.Equal(MqttConnectReturnCode.ConnectionRefusedNotAuthorized, code);
        }

        await host.Logs.WaitForEventAsync(EventIds.WillTopicDenied, e => e.Message.Contains(proplet.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_WithWillOutsideNamespace_IsNotAuthorized()
    {
        await using var host = await BrokerTestHost.StartAsync();

        var (_, result) = await host.TryConnectAsync(host.Options(host.Fleet.Proplets[0]).WithWillTopic("fl/rounds/next").WithWillPayload("x"));

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result);
    }

    private static MqttConnectPacket Connect(string entityId, string apiKey, string willTopic) => new()
    {
        ClientId = entityId,
        Username = entityId,
        Password = Encoding.UTF8.GetBytes(apiKey),
        CleanSession = true,
        KeepAlivePeriod = 30,
        WillFlag = true,
        WillTopic = willTopic,
        WillMessage = Encoding.UTF8.GetBytes(OfflinePayload),
        WillQoS = MqttQualityOfServiceLevel.AtMostOnce,
    };
}
