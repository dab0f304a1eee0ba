using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;
using Propeller.Contracts.Mqtt;

namespace Propeller.Broker.Tests.Clients;

/// <summary>Propeller's own MQTT client against the embedded broker and its ACL.</summary>
public sealed class PropellerMqttClientTests
{
    [Fact]
    public async Task Subscribe_RefusedAtConnectThenGranted_ReconnectsAndReceives()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var proplet = host.Fleet.Proplets[0];
        Assert.True(host.Store.Revoke(proplet.Id, host.Fleet.Channel.Id));
        var clientLogs = new LogCollector();
        using var loggerFactory = clientLogs.CreateFactory();
        await using var client = Client(host, proplet, loggerFactory);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.SubscribeAsync(
            host.Topic("control/manager/start"),
            (_, payload, _) =>
            {
                received.TrySetResult(Encoding.UTF8.GetString(payload.Span));
                return Task.CompletedTask;
            },
            CancellationToken.None);

        await client.StartAsync(waitForConnection: false, CancellationToken.None);
        await clientLogs.WaitForEventAsync(101, e => e.Message.Contains("refused", StringComparison.Ordinal));
        host.Store.Grant(proplet.Id, host.Fleet.Channel.Id, ChannelPermissions.PublishSubscribe);
        await client.WaitForConnectionAsync(CancellationToken.None).WaitAsync(TestTimeouts.Wait);
        await using var manager = Client(host, host.Fleet.Manager, loggerFactory);
        await manager.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TestTimeouts.Wait);
        await manager.PublishAsync(host.Topic("control/manager/start"), "{\"id\":\"t1\"}"u8.ToArray(), CancellationToken.None);

        Assert.Equal("{\"id\":\"t1\"}", await received.Task.WaitAsync(TestTimeouts.Wait));
        Assert.DoesNotContain(clientLogs.Entries, e => e.Message.Contains("not allowed to connect", StringComparison.Ordinal));
    }

    private static PropellerMqttClient Client(BrokerTestHost host, ProvisionedEntity entity, ILoggerFactory loggerFactory) => new(
        new MqttConnectionOptions
        {
            Address = $"tcp://127.0.0.1:{host.Port}",
            ClientId = entity.Id,
            Username = entity.Id,
            Password = entity.ApiKey,
            QualityOfService = MqttQualityOfServiceLevel.AtLeastOnce,
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        },
        loggerFactory.CreateLogger<PropellerMqttClient>());
}
