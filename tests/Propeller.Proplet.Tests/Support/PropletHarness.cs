using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Support;

/// <summary>
/// One real proplet host on a real broker, and a test client that plays the manager: it sees every message of the
/// channel and publishes start and stop commands exactly as the Go manager would.
/// </summary>
internal sealed class PropletHarness : IAsyncDisposable
{
    private readonly List<ReceivedMessage> _messages = [];
    private readonly PropellerMqttClient _manager;
    private Func<LogEntry, bool>? _expectedErrors;
    private bool _hostStopped;
    private bool _aborted;

    private PropletHarness(PropletOptions options, IHost host, PropellerMqttClient manager, CapturingLoggerProvider logs)
    {
        Options = options;
        Host = host;
        _manager = manager;
        Logs = logs;
        Topics = new TopicBuilder(options.Credentials.TenantId, options.Credentials.ChannelId);
    }

    public PropletOptions Options { get; }

    public IHost Host { get; }

    public CapturingLoggerProvider Logs { get; }

    public TopicBuilder Topics { get; }

    public string PropletId => Options.PropletId;

    public IServiceProvider Services => Host.Services;

    /// <summary>
    /// Starts a proplet with a fresh tenant and entity id on <paramref name="broker"/>, once the test manager is
    /// listening, and waits until the proplet has announced itself (so its subscriptions are in place).
    /// </summary>
    public static async Task<PropletHarness> StartAsync(
        MosquittoBroker broker, ITestOutputHelper output, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            [PropletVariables.MqttAddress] = broker.Address,
            ["PROPLET_TENANT_ID"] = "T" + suffix,
            ["PROPLET_CHANNEL_ID"] = "C",
            ["PROPLET_ENTITY_ID"] = "P" + suffix,
            ["PROPLET_API_KEY"] = "key",
            [PropletVariables.ConfigFile] = "/nonexistent/config.toml",

            // Compiled modules go to a folder removed with the harness, not to the machine's temp cache.
            [PropletVariables.CacheDir] = Path.Combine(Path.GetTempPath(), "propeller-harness-cache-" + suffix),
        };
        foreach (var (name, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        // Tests run many proplets in one process: each serves /metrics on a free port unless the test picks one.
        var options = PropletOptions.FromEnvironment(environment);
        options = environment.ContainsKey(PropletVariables.MetricsPort) ? options : options with { MetricsPort = 0 };
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        var manager = new PropellerMqttClient(
            new MqttConnectionOptions
            {
                Address = broker.Address,
                ClientId = "manager-" + suffix,
                Username = "manager",
                Password = "key",
                QualityOfService = MQTTnet.Protocol.MqttQualityOfServiceLevel.ExactlyOnce,
            },
            NullLogger<PropellerMqttClient>.Instance);
        var host = PropletApp.Build(options, logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var harness = new PropletHarness(options, host, manager, logs);
        await manager.SubscribeAsync(harness.Topics.AllTopics, harness.OnMessageAsync, CancellationToken.None);
        await manager.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await host.StartAsync();
        await harness.WaitForAsync("control/proplet/create", _ => true);
        return harness;
    }

    /// <summary>Runs as each message arrives, before the tests can see it: to look at the proplet at that moment.</summary>
    public event Action<ReceivedMessage>? Arrived;

    /// <summary>Errors matching <paramref name="expected"/> do not fail the test when the harness is disposed.</summary>
    public void ExpectErrors(Func<LogEntry, bool> expected) => _expectedErrors = expected;

    public T Service<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public IReadOnlyList<ReceivedMessage> Messages(string suffix)
    {
        lock (_messages)
        {
            return _messages.Where(m => m.Suffix == suffix).ToList();
        }
    }

    public IReadOnlyList<ReceivedMessage> Results(string taskId) =>
        Messages("control/proplet/results").Where(m => m.Text("task_id") == taskId).ToList();

    public Task<ReceivedMessage> WaitForAsync(string suffix, Func<ReceivedMessage, bool> match, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Messages(suffix).FirstOrDefault(match)),
            _ => true,
            $"a message on {suffix}",
            timeout);

    public Task<ReceivedMessage> ResultAsync(string taskId) =>
        WaitForAsync("control/proplet/results", m => m.Text("task_id") == taskId);

    /// <summary>Publishes <paramref name="json"/> verbatim on a manager topic.</summary>
    public Task PublishAsync(string suffix, string json) =>
        _manager.PublishAsync(Topics.For(suffix), Encoding.UTF8.GetBytes(json), CancellationToken.None);

    public Task StartTaskAsync(string json) => PublishAsync("control/manager/start", json);

    public Task StopTaskAsync(string taskId) =>
        PublishAsync("control/manager/stop", $$"""{"id":"{{taskId}}","broadcast":false,"proplet_id":"{{PropletId}}"}""");

    /// <summary>Runs a start and returns its result: the way to prove the proplet still works after abuse.</summary>
    public async Task<ReceivedMessage> RunAddAsync(string taskId, int a = 10, int b = 20)
    {
        await StartTaskAsync(Payloads.Start(taskId, "add", ExampleWasm.Add, inputs: [$"\"{a}\"", $"\"{b}\""], propletId: PropletId));
        return await ResultAsync(taskId);
    }

    /// <summary>Drops the proplet's connection without a DISCONNECT, as a crash would, so the broker fires the Will.</summary>
    public Task AbortConnectionAsync()
    {
        _aborted = true;
        return Service<PropellerMqttClient>().AbortAsync();
    }

    /// <summary>Stops the proplet host the way the process would on SIGTERM.</summary>
    public async Task StopHostAsync()
    {
        _hostStopped = true;
        await Host.StopAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_hostStopped)
            {
                await StopHostAsync();
            }

            if (Host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
            else
            {
                Host.Dispose();
            }
        }
        catch (Exception e) when (_aborted && e is ObjectDisposedException or AggregateException)
        {
            // A crashed proplet has no connection left to close; the MQTT client throws when asked to.
        }

        await _manager.DisposeAsync();
        if (Options.Runtime.CacheDirectory is { } cache && Path.GetFileName(cache).StartsWith("propeller-harness-cache-", StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(cache, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Nothing was compiled.
            }
        }

        Logs.AssertNoUnexpectedErrors(_expectedErrors);
    }

    private Task OnMessageAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var suffix = Topics.SuffixOf(topic) ?? topic;
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(payload);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // The test's own malformed commands come back too.
            json = JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(payload.Span));
        }

        var message = new ReceivedMessage(suffix, json, DateTimeOffset.UtcNow);
        Arrived?.Invoke(message);
        lock (_messages)
        {
            _messages.Add(message);
        }

        return Task.CompletedTask;
    }
}
