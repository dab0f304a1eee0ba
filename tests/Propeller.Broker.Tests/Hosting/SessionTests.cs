using MQTTnet;
using MQTTnet.Protocol;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

public sealed class SessionTests
{
    [Fact]
    public async Task PersistentSession_MessagesWhileAway_AreDeliveredOnReconnect()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = host.Fleet.Proplets[0];
        var first = await host.ConnectAsync(host.Options(proplet).WithCleanSession(false));
        await first.SubscribeAsync(host.Topic("control/manager/start"), MqttQualityOfServiceLevel.AtLeastOnce);
        await first.DisconnectAsync();
        await host.Logs.WaitForEventAsync(EventIds.ClientDisconnected, e => e.Message.Contains(proplet.Id, StringComparison.Ordinal));
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        await manager.PublishStringAsync(host.Topic("control/manager/start"), "queued", MqttQualityOfServiceLevel.AtLeastOnce);
        var second = new MqttClientFactory().CreateMqttClient();
        var sink = new MessageSink(second);
        var result = await second.ConnectAsync(host.Options(proplet).WithCleanSession(false).Build());

        Assert.True(result.IsSessionPresent);
        Assert.Equal("queued", (await sink.WaitForAsync(host.Topic("control/manager/start"))).Text);
        second.Dispose();
    }

    [Fact]
    public async Task PersistentSession_AwayLongerThanExpiry_IsDropped()
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.SessionExpiry = TimeSpan.FromSeconds(1));
        var proplet = host.Fleet.Proplets[0];
        var client = await host.ConnectAsync(host.Options(proplet).WithCleanSession(false));
        await client.SubscribeAsync(host.Topic("control/manager/start"));
        await client.DisconnectAsync();

        await host.Logs.WaitForEventAsync(EventIds.SessionExpired, e => e.Message.Contains(proplet.Id, StringComparison.Ordinal));
        var result = await client.ConnectAsync(host.Options(proplet).WithCleanSession(false).Build());

        Assert.False(result.IsSessionPresent);
    }

    [Fact]
    public async Task Reconnect_SameEntityAndClientId_TakesOverTheOldConnection()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var old = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var oldGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.DisconnectedAsync += _ =>
        {
            oldGone.TrySetResult();
            return Task.CompletedTask;
        };

        var replacement = await host.ConnectAsync(host.Fleet.Proplets[0]);

        await oldGone.Task.WaitAsync(TestTimeouts.Wait);
        Assert.True(replacement.IsConnected);
    }
}
