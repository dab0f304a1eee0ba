using System.Security.Cryptography;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Propeller.Broker.Credentials;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

public sealed class AuthorizationTests
{
    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task PublishSubscribe_InsideChannel_RoundTrips(MqttQualityOfServiceLevel qos)
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var sink = new MessageSink(proplet);
        var subscribed = await proplet.SubscribeAsync(host.Topic("control/manager/#"), qos);
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        await manager.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(host.Topic("control/manager/start")).WithPayload("{\"id\":\"t1\"}").WithQualityOfServiceLevel(qos).Build());

        Assert.Equal((int)qos, (int)subscribed.Items.Single().ResultCode);
        Assert.Equal("{\"id\":\"t1\"}", (await sink.WaitForAsync(host.Topic("control/manager/start"))).Text);
    }

    [Fact]
    public async Task Publish_700KbPayloadWithDefaultLimit_RoundTrips()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proxy = await host.ConnectAsync(host.Fleet.Proxy!);
        var proplet = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var sink = new MessageSink(proplet);
        await proplet.SubscribeAsync(host.Topic("registry/server"), MqttQualityOfServiceLevel.AtLeastOnce);
        var payload = RandomNumberGenerator.GetBytes(700 * 1024);

        await proxy.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(host.Topic("registry/server")).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        Assert.Equal(payload, (await sink.WaitForAsync(host.Topic("registry/server"))).Payload);
    }

    [Fact]
    public async Task Publish_IntoAnotherTenantsChannel_IsNotDeliveredToItsSubscribers()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var observer = await host.ConnectAsync(host.Other.Manager);
        var sink = new MessageSink(observer);
        await observer.SubscribeAsync(BrokerTestHost.Topic(host.Other, "#"));
        var intruder = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var sentinelSender = await host.ConnectAsync(host.Other.Proplets[0]);
        var target = BrokerTestHost.Topic(host.Other, "control/manager/start");

        // QoS 1: the broker has decided on the message once the PUBACK is back.
        await intruder.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(target).WithPayload("intruder").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await sentinelSender.PublishStringAsync(target, "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("sentinel", (await sink.WaitForAsync(target)).Text);
        Assert.Equal(["sentinel"], sink.Messages.Select(m => m.Text));
        await host.Logs.WaitForEventAsync(EventIds.PublishDenied, e => e.Message.Contains(host.Fleet.Proplets[0].Id, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fl/rounds/next")]
    [InlineData("m/{t}")]
    [InlineData("m/{t}/c/{c}")]
    [InlineData("m/{t}/c/{c}/")]
    [InlineData("x/{t}/c/{c}/control")]
    [InlineData("m/{t}/c/{oc}/control")]
    public async Task Publish_OutsideOwnChannel_IsAnsweredNotAuthorizedOverMqtt5(string template)
    {
        await using var host = await BrokerTestHost.StartAsync();
        var client = await host.ConnectAsync(host.Options(host.Fleet.Proplets[0]).WithProtocolVersion(MqttProtocolVersion.V500));

        var result = await client.PublishStringAsync(Expand(template, host), "x", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }

    [Theory]
    [InlineData("#")]
    [InlineData("+/#")]
    [InlineData("m/#")]
    [InlineData("m/+/c/{c}/#")]
    [InlineData("m/{t}/c/+/#")]
    [InlineData("m/{t}/c/#")]
    [InlineData("m/{t}/c/{c}")]
    [InlineData("m/{ot}/c/{oc}/#")]
    [InlineData("m/{t}/c/{oc}/#")]
    [InlineData("$SYS/#")]
    [InlineData("m/{t}/c/{c}/a#")]
    public async Task Subscribe_OutsideOwnChannel_IsRefused(string template)
    {
        await using var host = await BrokerTestHost.StartAsync();
        var client = await host.ConnectAsync(host.Fleet.Proplets[0]);

        var result = await client.SubscribeAsync(Expand(template, host));

        // MQTT 3.1.1 has a single failure code (0x80), which MQTTnet reports as UnspecifiedError.
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, result.Items.Single().ResultCode);
        await host.Logs.WaitForEventAsync(EventIds.SubscriptionDenied);
    }

    [Fact]
    public async Task Subscribe_RefusedOverMqtt5_ReportsNotAuthorized()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var client = await host.ConnectAsync(host.Options(host.Fleet.Proplets[0]).WithProtocolVersion(MqttProtocolVersion.V500));

        var result = await client.SubscribeAsync("#");

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Subscribe_Hash_ReceivesNothingFromTheBroker()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var client = await host.ConnectAsync(host.Fleet.Proplets[0]);
        var sink = new MessageSink(client);
        await client.SubscribeAsync("#");
        await client.SubscribeAsync(host.Topic("sentinel"));
        var manager = await host.ConnectAsync(host.Fleet.Manager);

        await manager.PublishStringAsync(host.Topic("secret"), "secret", MqttQualityOfServiceLevel.AtLeastOnce);
        await manager.PublishStringAsync(host.Topic("sentinel"), "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);

        await sink.WaitForAsync(host.Topic("sentinel"));
        Assert.Equal([host.Topic("sentinel")], sink.Messages.Select(m => m.Topic));
    }

    [Theory]
    [InlineData("m/{t}/c/{c}/#")]
    [InlineData("m/{t}/c/{c}/+")]
    [InlineData("m/{t}/c/{c}/control/+/x")]
    [InlineData("m/{t}/c/{c}/control/proplet/alive")]
    public async Task Subscribe_InsideOwnChannel_IsGranted(string template)
    {
        await using var host = await BrokerTestHost.StartAsync();
        var client = await host.ConnectAsync(host.Fleet.Manager);

        var result = await client.SubscribeAsync(Expand(template, host), MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Publish_AfterGrantRevoked_IsDropped()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        var sink = new MessageSink(manager);
        await manager.SubscribeAsync(host.Topic("#"));
        var proplet = await host.ConnectAsync(host.Fleet.Proplets[0]);
        await proplet.PublishStringAsync(host.Topic("before"), "before", MqttQualityOfServiceLevel.AtLeastOnce);
        await sink.WaitForAsync(host.Topic("before"));

        Assert.True(host.Store.Revoke(host.Fleet.Proplets[0].Id, host.Fleet.Channel.Id));
        await proplet.PublishStringAsync(host.Topic("after"), "after", MqttQualityOfServiceLevel.AtLeastOnce);
        await manager.PublishStringAsync(host.Topic("sentinel"), "sentinel", MqttQualityOfServiceLevel.AtLeastOnce);

        await sink.WaitForAsync(host.Topic("sentinel"));
        Assert.DoesNotContain(sink.Messages, m => m.Topic == host.Topic("after"));
    }

    [Fact]
    public async Task Publish_WithSubscribeOnlyGrant_IsDropped()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var fleet = host.Fleet;
        var reader = host.Store.CreateEntity(fleet.Tenant.Id, "reader", EntityRole.Proplet);
        host.Store.Grant(reader.Entity.Id, fleet.Channel.Id, ChannelPermissions.Subscribe);
        var client = await host.ConnectAsync(host.Options(reader.Entity.Id, reader.ApiKey, reader.Entity.Id).WithProtocolVersion(MqttProtocolVersion.V500));

        var subscribed = await client.SubscribeAsync(host.Topic("#"));
        var published = await client.PublishStringAsync(host.Topic("x"), "x", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, subscribed.Items.Single().ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, published.ReasonCode);
    }

    private static string Expand(string template, BrokerTestHost host) => template
        .Replace("{t}", host.Fleet.Tenant.Id, StringComparison.Ordinal)
        .Replace("{c}", host.Fleet.Channel.Id, StringComparison.Ordinal)
        .Replace("{ot}", host.Other.Tenant.Id, StringComparison.Ordinal)
        .Replace("{oc}", host.Other.Channel.Id, StringComparison.Ordinal);
}
