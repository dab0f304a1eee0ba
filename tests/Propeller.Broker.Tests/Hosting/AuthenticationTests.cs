using MQTTnet;
using Propeller.Broker.Diagnostics;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Connect_WithEntityIdAndKey_IsAccepted()
    {
        await using var host = await BrokerTestHost.StartAsync();

        var client = await host.ConnectAsync(host.Fleet.Manager);

        Assert.True(client.IsConnected);
        await host.Logs.WaitForEventAsync(EventIds.ClientConnected, e => e.Message.Contains(host.Fleet.Manager.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_WithWrongKey_IsRejectedAndLoggedWithoutTheKey()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var entity = host.Fleet.Proplets[0];
        const string wrongKey = "not-the-key-0123456789";

        var (client, result) = await host.TryConnectAsync(host.Options(entity.Id, wrongKey, entity.Id));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
        Assert.False(client.IsConnected);
        var warning = await host.Logs.WaitForEventAsync(EventIds.AuthenticationFailed);
        Assert.Contains(entity.Id, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains(wrongKey, StringComparison.Ordinal) || e.Message.Contains(entity.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_WithUnknownEntity_IsRejected()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var unknown = Guid.NewGuid().ToString();

        var (_, result) = await host.TryConnectAsync(host.Options(unknown, host.Fleet.Manager.ApiKey, unknown));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
        await host.Logs.WaitForEventAsync(EventIds.AuthenticationFailed, e => e.Message.Contains(unknown, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_WithAnotherEntitysKey_IsRejected()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var entity = host.Fleet.Proplets[0];

        var (_, result) = await host.TryConnectAsync(host.Options(entity.Id, host.Fleet.Proplets[1].ApiKey, entity.Id));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
    }

    [Fact]
    public async Task Connect_WithoutCredentials_IsNotAuthorized()
    {
        await using var host = await BrokerTestHost.StartAsync();

        var (_, result) = await host.TryConnectAsync(host.Options(null, null, "anonymous-client"));

        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result);
        await host.Logs.WaitForEventAsync(EventIds.AnonymousConnectionRejected);
    }

    [Fact]
    public async Task Connect_WithoutCredentialsWhenAnonymousAllowed_IsAcceptedAndUnrestricted()
    {
        await using var host = await BrokerTestHost.StartAsync(o => o.AllowAnonymous = true);
        var anonymous = await host.ConnectAsync(host.Options(null, null, "anonymous-client"));
        var sink = new MessageSink(anonymous);
        await anonymous.SubscribeAsync("#");

        // Credentials still bind a named entity to its channel even in this mode.
        var (_, wrongKey) = await host.TryConnectAsync(host.Options(host.Fleet.Manager.Id, "wrong", "named"));
        var manager = await host.ConnectAsync(host.Fleet.Manager);
        await manager.PublishStringAsync(host.Topic("control/manager/start"), "go");

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrongKey);
        Assert.Equal("go", (await sink.WaitForAsync(host.Topic("control/manager/start"))).Text);
    }

    [Fact]
    public async Task Connect_WithClientIdOfAnotherEntitysSession_IsRejectedAndOwnerStaysConnected()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var owner = await host.ConnectAsync(host.Fleet.Proplets[0]);

        var (_, result) = await host.TryConnectAsync(host.Options(host.Other.Manager, clientId: host.Fleet.Proplets[0].Id));

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result);
        await owner.PingAsync();
        Assert.True(owner.IsConnected);
    }

    [Fact]
    public async Task Connect_WithAnotherEntitysIdAsClientIdBeforeItConnects_IsRejectedAndTheEntityCanStillConnect()
    {
        await using var host = await BrokerTestHost.StartAsync();
        var victim = host.Fleet.Proplets[0];

        var (squatter, squat) = await host.TryConnectAsync(host.Options(host.Other.Manager, clientId: victim.Id).WithCleanSession(false));
        var (_, own) = await host.TryConnectAsync(host.Options(victim));

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, squat);
        Assert.False(squatter.IsConnected);
        Assert.Equal(MqttClientConnectResultCode.Success, own);
    }
}
