using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Contracts.Configuration;
using Propeller.Manager.Hosting;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Hosting;

namespace Propeller.Cli.Hosts;

/// <summary>
/// Broker, manager, the OCI proxy and N proplets in this process, on loopback only, with credentials provisioned on first use
/// and kept in the data directory (<c>credentials.json</c>, <c>config.toml</c>, <c>manager.db</c>). The REST API
/// runs without authentication because nothing outside this machine can reach it.
/// </summary>
internal sealed class DevStack : IAsyncDisposable
{
    private readonly List<IHost> _proplets = [];
    private EmbeddedBroker? _broker;
    private WebApplication? _manager;
    private WebApplication? _proxy;

    private DevStack(DevStackOptions options, string configPath) => (Options, ConfigPath) = (options, configPath);

    public DevStackOptions Options { get; }

    public string ConfigPath { get; }

    public Uri ManagerUrl { get; private set; } = null!;

    public int MqttPort { get; private set; }

    /// <summary>The proxy's /health and /metrics address.</summary>
    public Uri ProxyUrl { get; private set; } = null!;

    /// <summary>The running proxy (tests read its counters).</summary>
    public WebApplication ProxyHost => _proxy!;

    public IReadOnlyList<string> PropletIds { get; private set; } = [];

    /// <summary>The running proplet hosts, in <see cref="PropletIds"/> order (tests reach into them).</summary>
    public IReadOnlyList<IHost> PropletHosts => _proplets;

    /// <summary>The broker's credential store (tests add entities to it).</summary>
    public ICredentialStore Credentials { get; private set; } = null!;

    /// <summary>Provisions (once), then starts the broker, the manager and the proplets.</summary>
    public static async Task<DevStack> StartAsync(DevStackOptions options, ILoggerFactory loggerFactory, Action<ILoggingBuilder> logging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        var configPath = Path.Combine(dataDir, "config.toml");
        var store = CredentialStore.Open(Path.Combine(dataDir, "credentials.json"), logger: loggerFactory.CreateLogger<CredentialStore>());
        var sections = EnsureCredentials(store, configPath, options.Proplets);

        var stack = new DevStack(options, configPath) { Credentials = store };
        try
        {
            stack._broker = await EmbeddedBroker.StartAsync(
                new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = options.MqttPort }, store, loggerFactory, ct).ConfigureAwait(false);
            stack.MqttPort = stack._broker.Port;
            var mqttAddress = string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{stack.MqttPort}");

            var managerEnv = new Dictionary<string, string>
            {
                ["MANAGER_MQTT_ADDRESS"] = mqttAddress,
                ["MANAGER_HTTP_HOST"] = "127.0.0.1",
                ["MANAGER_HTTP_PORT"] = options.HttpPort.ToString(CultureInfo.InvariantCulture),
                ["MANAGER_DATA_DIR"] = dataDir,
                ["MANAGER_INSECURE_NO_AUTH"] = "true",
                ["MANAGER_LOG_LEVEL"] = LevelName(options.LogLevel),
            };
            foreach (var (key, value) in options.ManagerEnvironment)
            {
                managerEnv[key] = value;
            }

            var managerOptions = ManagerOptions.FromEnvironment(managerEnv.GetValueOrDefault, configPath);
            stack._manager = ManagerApp.Build(managerOptions, logging);
            await stack._manager.StartAsync(ct).ConfigureAwait(false);
            stack.ManagerUrl = ManagerApp.BaseAddress(stack._manager);

            var proxyEnv = new Dictionary<string, string>
            {
                ["PROXY_CONFIG_FILE"] = configPath,
                ["PROXY_MQTT_ADDRESS"] = mqttAddress,
                ["PROXY_HTTP_HOST"] = "127.0.0.1",
                ["PROXY_HTTP_PORT"] = options.ProxyHttpPort.ToString(CultureInfo.InvariantCulture),
                ["PROXY_LOG_LEVEL"] = LevelName(options.LogLevel),
            };
            foreach (var (key, value) in options.ProxyEnvironment)
            {
                proxyEnv[key] = value;
            }

            stack._proxy = ProxyApp.Build(ProxyOptions.FromEnvironment(proxyEnv), logging);
            await stack._proxy.StartAsync(ct).ConfigureAwait(false);
            stack.ProxyUrl = ProxyApp.BaseAddress(stack._proxy);

            var ids = new List<string>();
            foreach (var section in sections)
            {
                var propletEnv = new Dictionary<string, string>
                {
                    ["PROPLET_CONFIG_FILE"] = configPath,
                    ["PROPLET_CONFIG_SECTION"] = section,
                    ["PROPLET_MQTT_ADDRESS"] = mqttAddress,
                    ["PROPLET_LOG_LEVEL"] = LevelName(options.LogLevel),
                    ["PROPLET_LIVELINESS_INTERVAL"] = options.LivelinessIntervalSeconds.ToString(CultureInfo.InvariantCulture),

                    // Several proplets share this process, and the stack promises loopback only: no 0.0.0.0 endpoint.
                    ["PROPLET_METRICS_ENABLED"] = "false",

                    // Compiled modules stay with the stack's data, not in the machine's temp folder.
                    ["PROPLET_CACHE_DIR"] = Path.Combine(dataDir, "cache", section),
                };
                foreach (var (key, value) in options.PropletEnvironment)
                {
                    propletEnv[key] = value;
                }

                var propletOptions = PropletOptions.FromEnvironment(propletEnv);
                var host = PropletApp.Build(propletOptions, logging);
                await host.StartAsync(ct).ConfigureAwait(false);
                stack._proplets.Add(host);
                ids.Add(propletOptions.PropletId);
            }

            stack.PropletIds = ids;
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        foreach (var proplet in _proplets)
        {
            await StopQuietlyAsync(proplet.StopAsync(timeout.Token)).ConfigureAwait(false);
            proplet.Dispose();
        }

        _proplets.Clear();
        if (_proxy is not null)
        {
            await StopQuietlyAsync(_proxy.StopAsync(timeout.Token)).ConfigureAwait(false);
            await _proxy.DisposeAsync().ConfigureAwait(false);
            _proxy = null;
        }

        if (_manager is not null)
        {
            await StopQuietlyAsync(_manager.StopAsync(timeout.Token)).ConfigureAwait(false);
            await _manager.DisposeAsync().ConfigureAwait(false);
            _manager = null;
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
            _broker = null;
        }
    }

    /// <summary>
    /// Reuses <c>config.toml</c> when its manager is still known to the credential store, adds proplets when more
    /// are wanted, and otherwise provisions from scratch. Returns the config sections of the proplets to run.
    /// </summary>
    private static IReadOnlyList<string> EnsureCredentials(ICredentialStore store, string configPath, int proplets)
    {
        if (File.Exists(configPath) && ConfigToml.ReadSection(configPath, "manager") is { } manager
            && manager.TryGetValue(EntityCredentials.EntityKey, out var managerId) && store.FindEntity(managerId) is not null)
        {
            var existing = PropletSections(configPath);
            if (existing.Count < proplets)
            {
                Provisioner.AddProplets(store, configPath, proplets - existing.Count);
                existing = PropletSections(configPath);
            }

            return existing.Take(proplets).ToList();
        }

        var result = Provisioner.Provision(store, "dev", "dev", Math.Max(proplets, 2), proxy: true, managerName: "dev-manager", proxyName: "dev-proxy");
        ConfigTomlWriter.Write(configPath, result);
        return PropletSections(configPath).Take(proplets).ToList();
    }

    /// <summary>The proplet tables of a config.toml: <c>[proplet]</c> and <c>[proplet1]</c>..<c>[propletN]</c>.</summary>
    private static List<string> PropletSections(string configPath)
    {
        var sections = new List<string>();
        if (ConfigToml.ReadSection(configPath, "proplet") is not null)
        {
            sections.Add("proplet");
        }

        for (var i = 1; ConfigToml.ReadSection(configPath, $"proplet{i}") is not null; i++)
        {
            sections.Add(string.Create(CultureInfo.InvariantCulture, $"proplet{i}"));
        }

        return sections;
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };

    private static async Task StopQuietlyAsync(Task stop)
    {
        try
        {
            await stop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown took longer than allowed; disposal follows anyway.
        }
    }
}
