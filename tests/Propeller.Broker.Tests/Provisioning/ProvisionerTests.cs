using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Broker.Tests.Support;
using Tomlyn;
using Tomlyn.Model;

namespace Propeller.Broker.Tests.Provisioning;

public sealed class ProvisionerTests
{
    [Fact]
    public void Provision_CreatesEntitiesGrantedPublishAndSubscribeOnOneChannel()
    {
        var store = CredentialStore.InMemory();

        var result = Provisioner.Provision(store, "acme", "fleet", propletCount: 3);

        Assert.Equal("acme", result.Tenant.Name);
        Assert.Equal("fleet", result.Channel.Name);
        Assert.Equal(3, result.Proplets.Count);
        ProvisionedEntity[] all = [result.Manager, .. result.Proplets, result.Proxy!];
        Assert.Equal(5, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal([EntityRole.Manager, EntityRole.Proplet, EntityRole.Proplet, EntityRole.Proplet, EntityRole.Proxy], all.Select(e => e.Role));
        Assert.All(all, e => Assert.Equal(e.Id, store.Authenticate(e.Id, e.ApiKey)?.Id));
        Assert.All(all, e => Assert.Equal(
            [new ChannelGrant(result.Tenant.Id, result.Channel.Id, ChannelPermissions.PublishSubscribe)], store.GetGrants(e.Id)));
    }

    [Fact]
    public void Provision_WithoutNames_UsesRandomReadableNames()
    {
        var store = CredentialStore.InMemory();

        var result = Provisioner.Provision(store, proxy: false);

        Assert.Matches("^[a-z]+-[a-z]+$", result.Tenant.Name);
        Assert.Matches("^[a-z]+-[a-z]+$", result.Channel.Name);
        Assert.Matches("^[a-z]+-[a-z]+$", result.Manager.Name);
        Assert.Null(result.Proxy);
    }

    [Fact]
    public void Provision_ExistingTenantAndChannelNames_AreReused()
    {
        var store = CredentialStore.InMemory();
        var first = Provisioner.Provision(store, "acme", "fleet");

        var second = Provisioner.Provision(store, "acme", "fleet");

        Assert.Equal(first.Tenant, second.Tenant);
        Assert.Equal(first.Channel, second.Channel);
        Assert.NotEqual(first.Manager.Id, second.Manager.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Provision_PropletCountOutOfRange_ThrowsClearError(int count)
    {
        var error = Assert.Throws<ProvisioningException>(() => Provisioner.Provision(CredentialStore.InMemory(), propletCount: count));

        Assert.Contains("between 1 and 1000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provision_FailingLateStep_DeletesTheEntitiesItCreated()
    {
        using var directory = new TempDirectory();
        var path = directory.File("credentials.json");
        var store = CredentialStore.Open(path);

        Assert.Throws<CredentialStoreException>(() => Provisioner.Provision(store, "acme", "fleet", propletCount: 2, proxyName: "bad\nname"));

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(0, document.RootElement.GetProperty("entities").GetArrayLength());
        Assert.Equal(0, document.RootElement.GetProperty("grants").GetArrayLength());
    }

    [Fact]
    public async Task Provision_WrittenConfig_AuthenticatesEverySectionAgainstTheBroker()
    {
        using var directory = new TempDirectory();
        var store = CredentialStore.Open(directory.File("credentials.json"));
        var configPath = directory.File("config.toml");
        ConfigTomlWriter.Write(configPath, Provisioner.Provision(store, propletCount: 3));
        var config = TomlSerializer.Deserialize<TomlTable>(await File.ReadAllTextAsync(configPath))!;
        var logs = new LogCollector();
        using var loggerFactory = logs.CreateFactory();
        await using var broker = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = "127.0.0.1", Port = 0 }, CredentialStore.Open(store.FilePath!), loggerFactory);

        var manager = Section(config, "manager");
        using var observer = await ConnectAsync(broker.Port, manager);
        var sink = new MessageSink(observer);
        await observer.SubscribeAsync($"m/{manager["tenant_id"]}/c/{manager["channel_id"]}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var name in new[] { "proplet1", "proplet2", "proplet3", "proxy" })
        {
            var section = Section(config, name);
            using var client = await ConnectAsync(broker.Port, section);
            var topic = $"m/{section["tenant_id"]}/c/{section["channel_id"]}/hello/{name}";
            await client.PublishStringAsync(topic, name, MqttQualityOfServiceLevel.AtLeastOnce);

            Assert.Equal(name, (await sink.WaitForAsync(topic)).Text);
        }
    }

    private static TomlTable Section(TomlTable config, string name) => (TomlTable)config[name];

    private static async Task<IMqttClient> ConnectAsync(int port, TomlTable section)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId((string)section["entity_id"])
            .WithCredentials((string)section["entity_id"], (string)section["api_key"])
            .WithTimeout(TestTimeouts.Wait)
            .Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }
}
