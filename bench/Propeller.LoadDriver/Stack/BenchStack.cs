using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Provisioning;
using Propeller.Cli.Hosts;
using Propeller.Contracts.Serialization;
using Propeller.Testing;

namespace Propeller.LoadDriver.Stack;

/// <summary>
/// A <see cref="DevStack"/> in this process (temporary data directory, free ports, warnings only) whose manager,
/// proxy and proplets talk either to the embedded broker or to a real Mosquitto. For Mosquitto the stack's
/// credentials are provisioned first, and the same entities become Mosquitto's password file and per-channel ACL;
/// the stack's own <c>*_MQTT_ADDRESS</c> settings are then overridden through its extra environments (the embedded
/// broker still starts, idle).
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    public const string Embedded = "embedded";
    public const string Mosquitto = "mosquitto";

    private readonly DevStack _stack;
    private readonly MosquittoProcess? _mosquitto;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _dataDir;

    private BenchStack(DevStack stack, MosquittoProcess? mosquitto, ILoggerFactory loggerFactory, string dataDir)
    {
        _stack = stack;
        _mosquitto = mosquitto;
        _loggerFactory = loggerFactory;
        _dataDir = dataDir;
        Http = new HttpClient { BaseAddress = stack.ManagerUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The manager's REST API.</summary>
    public HttpClient Http { get; }

    public static async Task<BenchStack> StartAsync(int proplets, string broker)
    {
        var dataDir = Directory.CreateTempSubdirectory("propeller-loaddriver-").FullName;
        var logging = HostLogging.Readable(LogLevel.Warning, toStandardError: true);
        var loggerFactory = HostLogging.Factory(logging);
        MosquittoProcess? mosquitto = null;
        DevStack? stack = null;
        try
        {
            var overrides = new Dictionary<string, string>();
            if (broker == Mosquitto)
            {
                mosquitto = await StartMosquittoAsync(dataDir, proplets).ConfigureAwait(false);
                overrides["MANAGER_MQTT_ADDRESS"] = mosquitto.Address;
                overrides["PROXY_MQTT_ADDRESS"] = mosquitto.Address;
                overrides["PROPLET_MQTT_ADDRESS"] = mosquitto.Address;
            }

            var options = new DevStackOptions
            {
                DataDir = dataDir,
                Proplets = proplets,
                MqttPort = 0,
                HttpPort = 0,
                ProxyHttpPort = 0,
                LogLevel = LogLevel.Warning,
                ManagerEnvironment = overrides.Where(o => o.Key.StartsWith("MANAGER_", StringComparison.Ordinal)).ToDictionary(),
                ProxyEnvironment = overrides.Where(o => o.Key.StartsWith("PROXY_", StringComparison.Ordinal)).ToDictionary(),
                PropletEnvironment = overrides.Where(o => o.Key.StartsWith("PROPLET_", StringComparison.Ordinal)).ToDictionary(),
            };
            stack = await DevStack.StartAsync(options, loggerFactory, logging, CancellationToken.None).ConfigureAwait(false);
            var bench = new BenchStack(stack, mosquitto, loggerFactory, dataDir);
            await bench.WaitForPropletsAsync(proplets).ConfigureAwait(false);
            return bench;
        }
        catch
        {
            await StopAsync(stack, mosquitto, loggerFactory, dataDir).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync(_stack, _mosquitto, _loggerFactory, _dataDir).ConfigureAwait(false);
    }

    /// <summary>Provisions the stack's data directory the way DevStack would, then runs Mosquitto for those entities.</summary>
    private static async Task<MosquittoProcess> StartMosquittoAsync(string dataDir, int proplets)
    {
        var store = CredentialStore.Open(Path.Combine(dataDir, "credentials.json"));
        var provisioned = Provisioner.Provision(store, "dev", "dev", Math.Max(proplets, 2), proxy: true, managerName: "dev-manager", proxyName: "dev-proxy");
        ConfigTomlWriter.Write(Path.Combine(dataDir, "config.toml"), provisioned);
        var entities = provisioned.Proplets.Append(provisioned.Manager).Concat(provisioned.Proxy is null ? [] : [provisioned.Proxy]).ToList();
        var topics = $"m/{provisioned.Tenant.Id}/c/{provisioned.Channel.Id}/#";
        var acl = entities.SelectMany(e => new[] { $"user {e.Id}", $"topic readwrite {topics}", string.Empty }).ToList();
        // Without TCP_NODELAY Mosquitto's small writes wait out delayed ACKs (~40 ms per hop); deployments set it too.
        return await MosquittoProcess.StartAsync(entities.ToDictionary(e => e.Id, e => e.ApiKey), acl, ["set_tcp_nodelay true"]).ConfigureAwait(false);
    }

    private async Task WaitForPropletsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var page = await Http.GetFromJsonAsync("proplets?status=active&limit=100", PropellerJsonContext.Default.PropletPage).ConfigureAwait(false);
            if (page is not null && page.Total >= (ulong)count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"only {page?.Total ?? 0} of {count} proplets became active within 30 s");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(DevStack? stack, MosquittoProcess? mosquitto, ILoggerFactory loggerFactory, string dataDir)
    {
        if (stack is not null)
        {
            await stack.DisposeAsync().ConfigureAwait(false);
        }

        if (mosquitto is not null)
        {
            await mosquitto.DisposeAsync().ConfigureAwait(false);
        }

        loggerFactory.Dispose();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the system's temp cleaner takes it.
        }
    }
}
