using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Cli.Hosts;
using Propeller.Manager.Hosting;

namespace Propeller.FleetSim.Fleet;

/// <summary>
/// The embedded broker and a manager in this process, on loopback. Unlike <c>DevStack</c> the credentials live in
/// memory (thousands of proplet entities would otherwise rewrite <c>credentials.json</c> once each) and the
/// broker's connection cap is raised to fit the fleet.
/// </summary>
internal sealed class FleetStack : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _dataDir;
    private EmbeddedBroker? _broker;
    private WebApplication? _manager;

    private FleetStack(ILoggerFactory loggerFactory, string dataDir, ICredentialStore store, string channelId, string tenantId)
    {
        _loggerFactory = loggerFactory;
        _dataDir = dataDir;
        Credentials = store;
        ChannelId = channelId;
        TenantId = tenantId;
    }

    public ICredentialStore Credentials { get; }

    public string TenantId { get; }

    public string ChannelId { get; }

    public int MqttPort => _broker!.Port;

    public Uri ManagerUrl { get; private set; } = null!;

    public static async Task<FleetStack> StartAsync(int proplets, string storage, CancellationToken ct)
    {
        var logging = HostLogging.Readable(LogLevel.Warning);
        var loggerFactory = HostLogging.Factory(logging);
        var dataDir = Directory.CreateTempSubdirectory("propeller-fleetsim-").FullName;
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "fleet", "fleet", propletCount: 1, proxy: false, managerName: "fleet-manager");
        var configPath = Path.Combine(dataDir, "config.toml");
        ConfigTomlWriter.Write(configPath, provisioned);

        var stack = new FleetStack(loggerFactory, dataDir, store, provisioned.Channel.Id, provisioned.Tenant.Id);
        try
        {
            stack._broker = await EmbeddedBroker.StartAsync(
                new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = 0, MaxConnections = proplets + 100 }, store, loggerFactory, ct).ConfigureAwait(false);
            var env = new Dictionary<string, string>
            {
                ["MANAGER_MQTT_ADDRESS"] = string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{stack.MqttPort}"),
                ["MANAGER_HTTP_HOST"] = "127.0.0.1",
                ["MANAGER_HTTP_PORT"] = "0",
                ["MANAGER_DATA_DIR"] = dataDir,
                ["MANAGER_STORAGE_TYPE"] = storage,
                ["MANAGER_INSECURE_NO_AUTH"] = "true",
                ["MANAGER_LOG_LEVEL"] = "warn",
            };
            stack._manager = ManagerApp.Build(ManagerOptions.FromEnvironment(env.GetValueOrDefault, configPath), logging);
            await stack._manager.StartAsync(ct).ConfigureAwait(false);
            stack.ManagerUrl = ManagerApp.BaseAddress(stack._manager);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_manager is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _manager.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Disposal follows anyway.
            }

            await _manager.DisposeAsync().ConfigureAwait(false);
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }

        _loggerFactory.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the system's temp cleaner takes it.
        }
    }
}
