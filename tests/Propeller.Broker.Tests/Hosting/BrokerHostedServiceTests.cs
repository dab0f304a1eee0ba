using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;

namespace Propeller.Broker.Tests.Hosting;

public sealed class BrokerHostedServiceTests
{
    [Fact]
    public async Task AddPropellerBroker_InAHost_ServesEntitiesFromTheCredentialsFile()
    {
        using var directory = new TempDirectory();
        var credentials = directory.File("credentials.json");
        var fleet = Provisioner.Provision(CredentialStore.Open(credentials), "acme", "fleet");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPropellerBroker(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = 0;
            o.CredentialsPath = credentials;
        });
        using var host = builder.Build();

        await host.StartAsync();
        var port = host.Services.GetRequiredService<BrokerHostedService>().Broker.Port;
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId(fleet.Manager.Id).WithCredentials(fleet.Manager.Id, fleet.Manager.ApiKey)
            .WithTimeout(TestTimeouts.Wait).Build());
        await client.DisconnectAsync();
        await host.StopAsync();

        Assert.NotEqual(0, port);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<BrokerHostedService>().Broker);
    }

    [Fact]
    public async Task AddPropellerBroker_WithInvalidOptions_FailsToStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPropellerBroker(o => o.MaxPacketSize = 1);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BrokerOptions.MaxPacketSize", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPropellerBroker_KeepsAStoreTheHostRegisteredAndRegistersOneHostedService()
    {
        var services = new ServiceCollection();
        var store = CredentialStore.InMemory();
        services.AddSingleton<ICredentialStore>(store);
        services.AddLogging();

        services.AddPropellerBroker(o => o.Port = 0);
        services.AddPropellerBroker(o => o.Port = 0);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<ICredentialStore>());
        Assert.Single(provider.GetServices<IHostedService>());
    }

    [Fact]
    public async Task StartAsync_PortAlreadyInUse_Throws()
    {
        var logs = new LogCollector();
        using var loggerFactory = logs.CreateFactory();
        await using var first = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = "127.0.0.1", Port = 0 }, CredentialStore.InMemory(), loggerFactory);

        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(
            () => EmbeddedBroker.StartAsync(new BrokerOptions { Host = "127.0.0.1", Port = first.Port }, CredentialStore.InMemory(), loggerFactory));
    }
}
