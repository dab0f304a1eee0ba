using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Diagnostics;
using Propeller.Proxy.Fetching;
using Propeller.Proxy.Hosting;
using Propeller.Testing;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Support;

/// <summary>
/// A real embedded broker with a provisioned channel, a real <c>docker-registry</c>, one proxy on loopback and a
/// "proplet" MQTT client that records what the proxy sends on <c>registry/server</c> and <c>registry/status</c>.
/// Disposing it fails the test when a component logged an error the test did not expect.
/// </summary>
internal sealed class ProxyTestEnvironment : IAsyncDisposable
{
    private readonly ICredentialStore _store;
    private readonly ProvisionResult _fleet;
    private readonly CapturingLoggerProvider _logs;
    private EmbeddedBroker? _broker;
    private int _propletConnects;

    private ProxyTestEnvironment(ICredentialStore store, ProvisionResult fleet, EmbeddedBroker broker, RegistryProcess registry, CapturingLoggerProvider logs)
    {
        _store = store;
        _fleet = fleet;
        _broker = broker;
        Registry = registry;
        _logs = logs;
        Topics = new TopicBuilder(fleet.Tenant.Id, fleet.Channel.Id);
    }

    public RegistryProcess Registry { get; }

    public TopicBuilder Topics { get; }

    public WebApplication Proxy { get; private set; } = null!;

    public ProxyMetrics Metrics => ProxyApp.Metrics(Proxy);

    public PropellerMqttClient Proplet { get; private set; } = null!;

    public int BrokerPort { get; private set; }

    public string MqttAddress => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{BrokerPort}");

    public ConcurrentQueue<ChunkMessage> Chunks { get; } = new();

    public ConcurrentQueue<RegistryStatusMessage> Statuses { get; } = new();

    public int PropletConnects => Volatile.Read(ref _propletConnects);

    public IReadOnlyCollection<LogEntry> Logs => _logs.Entries;

    /// <summary>Predicate for errors the test expects; others fail it on dispose.</summary>
    public Func<LogEntry, bool>? ExpectedErrors { get; set; }

    /// <param name="proxyEnvironment">More <c>PROXY_*</c> variables.</param>
    /// <param name="registryMode">How the registry authenticates.</param>
    /// <param name="registryEnvironment">More variables that depend on the started registry (its host, account).</param>
    public static async Task<ProxyTestEnvironment> StartAsync(
        ITestOutputHelper output,
        IReadOnlyDictionary<string, string>? proxyEnvironment = null,
        RegistryAuthMode registryMode = RegistryAuthMode.Anonymous,
        Func<RegistryProcess, IReadOnlyDictionary<string, string>>? registryEnvironment = null)
    {
        var store = CredentialStore.InMemory();
        var fleet = Provisioner.Provision(store, "proxy-tenant", "proxy-channel", propletCount: 1, proxy: true);
        var broker = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = 0 }, store, NullLoggerFactory.Instance);
        RegistryProcess? registry = null;
        try
        {
            registry = await RegistryProcess.StartAsync(registryMode);
            var variables = new Dictionary<string, string>(proxyEnvironment ?? new Dictionary<string, string>());
            foreach (var (name, value) in registryEnvironment?.Invoke(registry) ?? new Dictionary<string, string>())
            {
                variables[name] = value;
            }

            var environment = new ProxyTestEnvironment(store, fleet, broker, registry, new CapturingLoggerProvider(new TestOutputSink(output)))
            {
                BrokerPort = broker.Port,
            };
            await environment.StartProxyAsync(variables);
            await environment.StartPropletAsync();
            return environment;
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }

            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The variables the proxy gets: the provisioned proxy identity, this broker, loopback port 0.</summary>
    public Dictionary<string, string> ProxyEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var proxy = _fleet.Proxy!;
        var variables = new Dictionary<string, string>
        {
            [ProxyVariables.TenantId] = _fleet.Tenant.Id,
            [ProxyVariables.ChannelId] = _fleet.Channel.Id,
            [ProxyVariables.EntityId] = proxy.Id,
            [ProxyVariables.ApiKey] = proxy.ApiKey,
            [ProxyVariables.MqttAddress] = MqttAddress,
            [ProxyVariables.HttpHost] = "127.0.0.1",
            [ProxyVariables.HttpPort] = "0",
            [ProxyVariables.LogLevel] = "debug",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        return variables;
    }

    /// <summary>Asks for <paramref name="appName"/> as a proplet would.</summary>
    public Task RequestAsync(string appName, string? digest = null) =>
        Proplet.PublishAsync(
            Topics.RegistryProplet, new FetchRequestMessage { AppName = appName, Digest = digest }, PropellerJson.Context.FetchRequestMessage, CancellationToken.None);

    public Task PublishRawAsync(byte[] payload) => Proplet.PublishAsync(Topics.RegistryProplet, payload, CancellationToken.None);

    /// <summary>Waits until the proxy holds no queued or running job.</summary>
    public Task IdleAsync() =>
        Eventually.TrueAsync(() => Proxy.Services.GetRequiredService<FetchCoordinator>().ActiveJobs == 0, "the proxy to finish its jobs");

    /// <summary>The chunks of <paramref name="appName"/> once <paramref name="count"/> have arrived.</summary>
    public async Task<IReadOnlyList<ChunkMessage>> ChunksAsync(string appName, int count, TimeSpan? timeout = null) =>
        await Eventually.ValueAsync<IReadOnlyList<ChunkMessage>>(
            () => Task.FromResult<IReadOnlyList<ChunkMessage>?>(Chunks.Where(c => c.AppName == appName).ToList()),
            chunks => chunks.Count >= count,
            $"{count} chunks of {appName}",
            timeout);

    public async Task<RegistryStatusMessage> StatusAsync(string appName, TimeSpan? timeout = null) =>
        await Eventually.ValueAsync(
            () => Task.FromResult(Statuses.FirstOrDefault(s => s.AppName == appName)),
            _ => true,
            $"a registry/status reply for {appName}",
            timeout);

    /// <summary>Stops the broker and starts a new one on the same port with the same credentials.</summary>
    public async Task RestartBrokerAsync(TimeSpan downtime)
    {
        await _broker!.DisposeAsync();
        _broker = null;
        await Task.Delay(downtime);
        _broker = await EmbeddedBroker.StartAsync(
            new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = BrokerPort }, _store, NullLoggerFactory.Instance);
    }

    public async Task StopProxyAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await Proxy.StopAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await Proxy.StopAsync(timeout.Token);
            }

            await Proxy.DisposeAsync();
            await Proplet.DisposeAsync();
        }
        finally
        {
            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            await Registry.DisposeAsync();
        }

        _logs.AssertNoUnexpectedErrors(ExpectedErrors);
    }

    private async Task StartProxyAsync(IReadOnlyDictionary<string, string>? extra)
    {
        var options = ProxyOptions.FromEnvironment(ProxyEnvironment(extra));
        Proxy = ProxyApp.Build(options, logging => logging.AddProvider(_logs));
        await Proxy.StartAsync();
        await Eventually.TrueAsync(() => Metrics.MqttConnects > 0, "the proxy to connect to the broker");
    }

    private async Task StartPropletAsync()
    {
        var proplet = _fleet.Proplets[0];
        Proplet = new PropellerMqttClient(
            new MqttConnectionOptions { Address = MqttAddress, ClientId = proplet.Id, Username = proplet.Id, Password = proplet.ApiKey },
            new LoggerFactory([_logs]).CreateLogger<PropellerMqttClient>());
        Proplet.Connected += () =>
        {
            Interlocked.Increment(ref _propletConnects);
            return Task.CompletedTask;
        };
        await Proplet.SubscribeAsync(Topics.RegistryServer, (_, payload, _) =>
        {
            Chunks.Enqueue(PropellerJson.Parse(payload.Span, PropellerJson.Context.ChunkMessage));
            return Task.CompletedTask;
        }, CancellationToken.None);
        await Proplet.SubscribeAsync(Topics.RegistryStatus, (_, payload, _) =>
        {
            Statuses.Enqueue(PropellerJson.Parse(payload.Span, PropellerJson.Context.RegistryStatusMessage));
            return Task.CompletedTask;
        }, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Proplet.StartAsync(waitForConnection: true, timeout.Token);
    }
}
