using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Topics;
using Propeller.Manager.Hosting;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// The real manager app on loopback port 0 with the memory store and a real mosquitto, on a tenant and channel of
/// its own. Disposing it stops the app and fails the test when an error was logged that the test did not expect.
/// </summary>
internal sealed class ManagerTestHost : IAsyncDisposable
{
    public const string ApiKey = "test-api-key";

    private readonly Func<LogEntry, bool>? _expectedErrors;
    private bool _stopped;

    private ManagerTestHost(WebApplication app, ManagerOptions options, CapturingLoggerProvider logs, Func<LogEntry, bool>? expectedErrors)
    {
        App = app;
        Options = options;
        Logs = logs;
        _expectedErrors = expectedErrors;
        BaseAddress = ManagerApp.BaseAddress(app);
        Http = CreateClient(ApiKey);
    }

    public WebApplication App { get; }

    public ManagerOptions Options { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri BaseAddress { get; }

    /// <summary>Sends the API key.</summary>
    public HttpClient Http { get; }

    public IPropellerStore Store => App.Services.GetRequiredService<IPropellerStore>();

    public TopicBuilder Topics => App.Services.GetRequiredService<TopicBuilder>();

    public string BrokerAddress => Options.MqttAddress;

    public static ManagerOptions DefaultOptions(string brokerAddress) => new()
    {
        Credentials = new EntityCredentials("tenant-" + Guid.NewGuid().ToString("N"), "channel-" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString(), ApiKey),
        MqttAddress = brokerAddress,
        MqttTimeout = TimeSpan.FromSeconds(10),
        HttpHost = "127.0.0.1",
        HttpPort = 0,
        StorageType = StorageOptions.MemoryType,
        LogLevel = LogLevel.Debug,
    };

    /// <summary>Options on a fresh tenant and channel of the shared broker.</summary>
    public static async Task<ManagerOptions> NewOptionsAsync() => DefaultOptions((await MosquittoBroker.GetAsync()).Address);

    public static async Task<ManagerTestHost> StartAsync(
        ITestOutputHelper? output = null,
        Func<ManagerOptions, ManagerOptions>? configure = null,
        Func<LogEntry, bool>? expectedErrors = null,
        Func<IPropellerStore, Task>? seed = null,
        ManagerOptions? options = null,
        Action<WebApplication>? beforeStart = null,
        TimeProvider? time = null)
    {
        options ??= await NewOptionsAsync();
        options = configure?.Invoke(options) ?? options;
        var logs = new CapturingLoggerProvider(output is null ? null : new TestOutputSink(output));
        var app = ManagerApp.Build(options, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logs);
            logging.SetMinimumLevel(LogLevel.Debug);
        }, services =>
        {
            if (time is not null)
            {
                services.AddSingleton<TimeProvider>(time);
            }
        });
        if (seed is not null)
        {
            await app.Services.GetRequiredService<IPropellerStore>().InitializeAsync(CancellationToken.None);
            await seed(app.Services.GetRequiredService<IPropellerStore>());
        }

        beforeStart?.Invoke(app);
        await app.StartAsync();
        return new ManagerTestHost(app, options, logs, expectedErrors);
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public Task<MqttProbe> ConnectProbeAsync(string? clientId = null) =>
        MqttProbe.ConnectAsync(BrokerAddress, Topics, clientId ?? "probe-" + Guid.NewGuid().ToString("N"));

    /// <summary>Registers a proplet with a heartbeat <paramref name="age"/> ago (alive when under 10 s).</summary>
    public async Task<Proplet> AddPropletAsync(string? id = null, TimeSpan? age = null, ulong taskCount = 0)
    {
        var proplet = new Proplet { Id = id ?? Guid.NewGuid().ToString(), Name = PropletNames.Next() };
        await Store.Proplets.CreateAsync(proplet, CancellationToken.None);
        if (age is { } heartbeatAge)
        {
            await Store.Proplets.RecordHeartbeatAsync(proplet.Id, DateTimeOffset.UtcNow - heartbeatAge, CancellationToken.None);
        }

        if (taskCount > 0)
        {
            await Store.Proplets.AdjustTaskCountAsync(proplet.Id, (long)taskCount, CancellationToken.None);
        }

        return (await Store.Proplets.GetAsync(proplet.Id, CancellationToken.None))!;
    }

    public async Task<PropellerTask> AddTaskAsync(PropellerTask task)
    {
        await Store.Tasks.CreateAsync(task, CancellationToken.None);
        return task;
    }

    public Task<PropellerTask?> GetTaskAsync(string id) => Store.Tasks.GetAsync(id, CancellationToken.None);

    public Task<Proplet?> GetPropletAsync(string id) => Store.Proplets.GetAsync(id, CancellationToken.None);

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        await App.DisposeAsync();
        Logs.AssertNoUnexpectedErrors(_expectedErrors);
    }
}
