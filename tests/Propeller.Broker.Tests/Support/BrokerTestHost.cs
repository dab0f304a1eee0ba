using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;

namespace Propeller.Broker.Tests.Support;

/// <summary>
/// A real broker on 127.0.0.1 and a free port, with a provisioned fleet (manager, two proplets, proxy) on one
/// channel and a second channel with its own "observer" entity. Disposing it fails the test when anything
/// logged an error the test did not expect.
/// </summary>
internal sealed class BrokerTestHost : IAsyncDisposable
{
    private readonly List<IMqttClient> _clients = [];
    private readonly ILoggerFactory _loggerFactory;

    private BrokerTestHost(EmbeddedBroker broker, ICredentialStore store, LogCollector logs, ILoggerFactory loggerFactory, ProvisionResult fleet, ProvisionResult other)
    {
        Broker = broker;
        Store = store;
        Logs = logs;
        _loggerFactory = loggerFactory;
        Fleet = fleet;
        Other = other;
    }

    public EmbeddedBroker Broker { get; }

    public ICredentialStore Store { get; }

    public LogCollector Logs { get; }

    /// <summary>Tenant, channel, manager, two proplets and a proxy.</summary>
    public ProvisionResult Fleet { get; }

    /// <summary>Another tenant and channel whose manager plays an "admin-ish" observer of that channel.</summary>
    public ProvisionResult Other { get; }

    public int Port => Broker.Port;

    public int TlsPort => Broker.TlsPort;

    public static async Task<BrokerTestHost> StartAsync(Action<BrokerOptions>? configure = null)
    {
        var store = CredentialStore.InMemory();
        var fleet = Provisioner.Provision(store, "tenant-a", "channel-a", propletCount: 2);
        var other = Provisioner.Provision(store, "tenant-b", "channel-b", propletCount: 1);
        var options = new BrokerOptions { Host = "127.0.0.1", Port = 0 };
        configure?.Invoke(options);

        var logs = new LogCollector();
        var loggerFactory = logs.CreateFactory();
        var broker = await EmbeddedBroker.StartAsync(options, store, loggerFactory);
        return new BrokerTestHost(broker, store, logs, loggerFactory, fleet, other);
    }

    public static string Topic(ProvisionResult fleet, string suffix) => $"m/{fleet.Tenant.Id}/c/{fleet.Channel.Id}/{suffix}";

    public string Topic(string suffix) => Topic(Fleet, suffix);

    public MqttClientOptionsBuilder Options(ProvisionedEntity entity, string? clientId = null) =>
        Options(entity.Id, entity.ApiKey, clientId ?? entity.Id);

    public MqttClientOptionsBuilder Options(string? userName, string? password, string clientId) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithClientId(clientId)
            .WithCredentials(userName, password)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithTimeout(TestTimeouts.Wait);

    /// <summary>Connects and returns the client; the connection must succeed.</summary>
    public async Task<IMqttClient> ConnectAsync(MqttClientOptionsBuilder options)
    {
        var (client, result) = await TryConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        return client;
    }

    public Task<IMqttClient> ConnectAsync(ProvisionedEntity entity, string? clientId = null) => ConnectAsync(Options(entity, clientId));

    /// <summary>Connects and returns what the broker answered, whether or not it accepted.</summary>
    public async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> TryConnectAsync(MqttClientOptionsBuilder options)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        var result = await client.ConnectAsync(options.Build());
        return (client, result.ResultCode);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Broker.DisposeAsync();
        _loggerFactory.Dispose();
        var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, "Unexpected errors logged:\n" + string.Join("\n", errors.Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
    }
}
