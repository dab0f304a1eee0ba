using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Routing;

/// <summary>
/// The broker delivers through its own subscription index (Routing/SubscriptionRouter), not MQTTnet's dispatch:
/// these pin the MQTT 3.1.1 delivery rules it must keep. A negative case publishes a marker after the message that
/// must not arrive; one publisher's messages reach a session in order, so once the marker is in, the other never comes.
/// </summary>
public sealed class SubscriptionRoutingTests
{
    [Fact]
    public async Task Publish_AtQos2_ArrivesAtTheQosEachSubscriberAskedFor()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var atMostOnce = await Receiver.ConnectAsync(host, host.Fleet.Proplets[0], "control/manager/start", MqttQualityOfServiceLevel.AtMostOnce);
        var atLeastOnce = await Receiver.ConnectAsync(host, host.Fleet.Proplets[1], "control/manager/start", MqttQualityOfServiceLevel.AtLeastOnce);
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        await Publish(manager, host.Topic("control/manager/start"), "s", MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, (await atMostOnce.WaitForAsync("s")).QualityOfService);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, (await atLeastOnce.WaitForAsync("s")).QualityOfService);
    }

    [Fact]
    public async Task Publish_MatchingTwoFiltersOfOneClient_ArrivesOnceAtTheHigherQos()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = await Receiver.ConnectAsync(host, host.Fleet.Proplets[0], "control/manager/start", MqttQualityOfServiceLevel.AtMostOnce);
        await proplet.SubscribeAsync(host.Topic("control/manager/#"), MqttQualityOfServiceLevel.ExactlyOnce);
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        var delivered = await PublishThenMarkerAsync(manager, proplet, host.Topic("control/manager/start"), "once", host.Topic("control/manager/stop"));

        var once = Assert.Single(delivered, m => m.Text == "once");
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, once.QualityOfService);
    }

    [Fact]
    public async Task Unsubscribe_StopsDeliveryOfThatFilterOnly()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = await Receiver.ConnectAsync(host, host.Fleet.Proplets[0], "control/manager/start", MqttQualityOfServiceLevel.AtLeastOnce);
        await proplet.SubscribeAsync(host.Topic("control/manager/stop"), MqttQualityOfServiceLevel.AtLeastOnce);
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        await proplet.Client.UnsubscribeAsync(host.Topic("control/manager/start"));
        var delivered = await PublishThenMarkerAsync(manager, proplet, host.Topic("control/manager/start"), "after-unsubscribe", host.Topic("control/manager/stop"));

        Assert.DoesNotContain(delivered, m => m.Text == "after-unsubscribe");
    }

    [Fact]
    public async Task CleanReconnect_WithoutSubscribingAgain_LeavesTheOldSubscriptionsBehind()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = host.Fleet.Proplets[0];
        var first = await Receiver.ConnectAsync(host, proplet, "control/manager/start", MqttQualityOfServiceLevel.AtLeastOnce);
        await first.Client.DisconnectAsync();
        var second = await Receiver.ConnectAsync(host, proplet, "control/manager/stop", MqttQualityOfServiceLevel.AtLeastOnce);
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        var delivered = await PublishThenMarkerAsync(manager, second, host.Topic("control/manager/start"), "old-subscription", host.Topic("control/manager/stop"));

        Assert.DoesNotContain(delivered, m => m.Text == "old-subscription");
    }

    [Fact]
    public async Task Publish_SinglelevelWildcardAndOwnSubscription_BothDeliver()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = await Receiver.ConnectAsync(host, host.Fleet.Proplets[0], "control/+/start", MqttQualityOfServiceLevel.AtLeastOnce);
        var manager = await Receiver.ConnectAsync(host, host.Fleet.Manager, "control/manager/start", MqttQualityOfServiceLevel.AtLeastOnce);

        await Publish(manager.Client, host.Topic("control/manager/start"), "both", MqttQualityOfServiceLevel.AtLeastOnce);

        await proplet.WaitForAsync("both");
        await manager.WaitForAsync("both");
    }

    [Fact]
    public async Task Retained_IsKeptAndSentToALaterSubscriber()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        await manager.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(host.Topic("control/manager/start")).WithPayload("kept").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag().Build());

        var proplet = await Receiver.ConnectAsync(host, host.Fleet.Proplets[0], "control/manager/start", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("kept", (await proplet.WaitForAsync("kept")).Text);
    }

    // Publishes `text` on `topic`, then a marker on `markerTopic`, at QoS 2, and returns what the receiver has once
    // the marker arrived: whatever of `text` was going to arrive has arrived by then.
    private static async Task<IReadOnlyList<Delivery>> PublishThenMarkerAsync(
        IMqttClient publisher, Receiver receiver, string topic, string text, string markerTopic)
    {
        await Publish(publisher, topic, text, MqttQualityOfServiceLevel.ExactlyOnce);
        await Publish(publisher, markerTopic, "marker", MqttQualityOfServiceLevel.ExactlyOnce);
        await receiver.WaitForAsync("marker");
        return receiver.Messages;
    }

    private static Task Publish(IMqttClient client, string topic, string text, MqttQualityOfServiceLevel qos) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(text).WithQualityOfServiceLevel(qos).Build());

    /// <summary>A client that keeps what it receives with the QoS it arrived at.</summary>
    private sealed class Receiver
    {
        private readonly ConcurrentQueue<Delivery> _messages = new();
        private readonly BrokerTestHost _host;

        private Receiver(BrokerTestHost host, IMqttClient client)
        {
            _host = host;
            Client = client;
            client.ApplicationMessageReceivedAsync += args =>
            {
                var message = args.ApplicationMessage;
                _messages.Enqueue(new Delivery(Encoding.UTF8.GetString(message.Payload), message.QualityOfServiceLevel));
                return Task.CompletedTask;
            };
        }

        public IMqttClient Client { get; }

        public IReadOnlyList<Delivery> Messages => [.. _messages];

        public static async Task<Receiver> ConnectAsync(
            BrokerTestHost host, Propeller.Broker.Provisioning.ProvisionedEntity entity, string suffix, MqttQualityOfServiceLevel qos)
        {
            var receiver = new Receiver(host, await host.ConnectAsync(entity));
            await receiver.SubscribeAsync(host.Topic(suffix), qos);
            return receiver;
        }

        public async Task SubscribeAsync(string filter, MqttQualityOfServiceLevel qos)
        {
            var result = await Client.SubscribeAsync(filter, qos);
            Assert.Equal((int)qos, (int)result.Items.Single().ResultCode);
        }

        public Task<Delivery> WaitForAsync(string text) =>
            Eventually.WaitAsync(() => _messages.FirstOrDefault(m => m.Text == text), $"'{text}' at {_host.Port}");
    }

    private sealed record Delivery(string Text, MqttQualityOfServiceLevel QualityOfService);
}
