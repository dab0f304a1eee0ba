using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Cli.Hosts;
using Propeller.Manager.Hosting;
using Propeller.Testing;

namespace Propeller.FleetSim.Fleet;

/// <summary>
/// The embedded broker and a manager in this process, on loopback. Unlike <c>DevStack</c> the credentials live in
/// memory (thousands of proplet entities would otherwise rewrite <c>credentials.json</c> once each) and the
/// broker's connection cap is raised to fit the fleet. With <see cref="Mosquitto"/> the broker is a Mosquitto child
/// process instead: every proplet entity is created before it starts, and the store's entities become its password
/// file and per-channel ACL (as the load driver's <c>BenchStack</c> does), so each client still connects with its
/// own entity id and key.
/// </summary>
internal sealed class FleetStack : IAsyncDisposable
{
    public const string Embedded = "embedded";
    public const string Mosquitto = "mosquitto";

    private readonly ILoggerFactory _loggerFactory;
    private readonly string _dataDir;
    private EmbeddedBroker? _broker;
    private MosquittoProcess? _mosquitto;
    private WebApplication? _manager;
    private IssuedCredentials[]? _preIssued;

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

    public int MqttPort => _mosquitto?.Port ?? _broker!.Port;

    /// <summary>CPU time of the Mosquitto child so far; null for the embedded broker, whose CPU is this process's.</summary>
    public TimeSpan? BrokerProcessorTime
    {
        get
        {
            if (_mosquitto is null)
            {
                return null;
            }

            using var process = System.Diagnostics.Process.GetProcessById(_mosquitto.ProcessId);
            return process.TotalProcessorTime;
        }
    }

    /// <summary>With Mosquitto, how long creating the proplet entities and starting the broker took (before connecting).</summary>
    public double ProvisionSeconds { get; private set; }

    /// <summary>
    /// The entity of simulated proplet <paramref name="index"/> with its channel grant: created now for the embedded
    /// broker (which reads the store live), or the one created before Mosquitto started.
    /// </summary>
    public IssuedCredentials Proplet(int index) => _preIssued?[index] ?? Issue(Credentials, TenantId, ChannelId, index);

    public Uri ManagerUrl { get; private set; } = null!;

    public static async Task<FleetStack> StartAsync(int proplets, string storage, string broker, CancellationToken ct)
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
            if (broker == Mosquitto)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                stack._preIssued = new IssuedCredentials[proplets];
                Parallel.For(0, proplets, i => stack._preIssued[i] = Issue(store, stack.TenantId, stack.ChannelId, i));
                stack._mosquitto = await StartMosquittoAsync(
                    stack._preIssued.Select(p => (p.Entity.Id, p.ApiKey)).Append((provisioned.Manager.Id, provisioned.Manager.ApiKey)).ToList(),
                    $"m/{provisioned.Tenant.Id}/c/{provisioned.Channel.Id}/#").ConfigureAwait(false);
                stack.ProvisionSeconds = clock.Elapsed.TotalSeconds;
            }
            else
            {
                stack._broker = await EmbeddedBroker.StartAsync(
                    new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = 0, MaxConnections = proplets + 100 }, store, loggerFactory, ct).ConfigureAwait(false);
            }

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

        if (_mosquitto is not null)
        {
            await _mosquitto.DisposeAsync().ConfigureAwait(false);
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

    private static IssuedCredentials Issue(ICredentialStore store, string tenantId, string channelId, int index)
    {
        var issued = store.CreateEntity(tenantId, $"sim-{index}", EntityRole.Proplet);
        store.Grant(issued.Entity.Id, channelId, ChannelPermissions.Publish | ChannelPermissions.Subscribe);
        return issued;
    }

    /// <summary>
    /// Mosquitto with one password entry per entity (hashed by a single <c>mosquitto_passwd -U</c> over the whole file)
    /// and an ACL granting each of them the fleet's channel, nothing else.
    /// </summary>
    private static Task<MosquittoProcess> StartMosquittoAsync(IReadOnlyList<(string Id, string Key)> entities, string channelTopics)
    {
        var acl = entities.SelectMany(e => new[] { $"user {e.Id}", $"topic readwrite {channelTopics}", string.Empty }).ToList();
        string[] config =
        [
            // Without TCP_NODELAY Mosquitto's small writes wait out delayed ACKs (~40 ms per hop); deployments set it too.
            "set_tcp_nodelay true",
            "max_connections -1",

            // The manager's one session receives every heartbeat and result; the default 1000 queued / 20 in flight would
            // drop or throttle them under a fleet's burst. Mosquitto's open-file limit is inherited from this process.
            "max_queued_messages 100000",
            "max_inflight_messages 0",
        ];
        return MosquittoProcess.StartAsync(entities.ToDictionary(e => e.Id, e => e.Key, StringComparer.Ordinal), acl, config);
    }
}
