using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Cli.Hosts;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>
/// The whole system in this process on loopback: the embedded broker with real credentials, the manager on a free
/// port with SQLite, and N proplets. Fails the test in <see cref="DisposeAsync"/> when a component logged an error
/// the test did not expect (as MQTTnet's TestEnvironment does).
/// </summary>
internal sealed class PropellerTestEnvironment : IAsyncDisposable
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;
    private readonly List<Func<LogEntry, bool>> _expectedErrors = [];

    private readonly bool _ownsDataDir;

    private PropellerTestEnvironment(DevStack stack, CapturingLoggerProvider logs, ILoggerFactory loggerFactory, string dataDir, bool ownsDataDir)
    {
        _ownsDataDir = ownsDataDir;
        Stack = stack;
        Logs = logs;
        LoggerFactory = loggerFactory;
        DataDir = dataDir;
        Http = new HttpClient { BaseAddress = stack.ManagerUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public DevStack Stack { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public string DataDir { get; }

    public HttpClient Http { get; }

    public static async Task<PropellerTestEnvironment> StartAsync(
        ITestOutputHelper output,
        int proplets = 2,
        string? dataDir = null,
        IReadOnlyDictionary<string, string>? proxyEnvironment = null,
        IReadOnlyDictionary<string, string>? propletEnvironment = null,
        IReadOnlyDictionary<string, string>? managerEnvironment = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("propeller-e2e-").FullName;
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        void Logging(ILoggingBuilder builder)
        {
            builder.ClearProviders();
            builder.SetMinimumLevel(LogLevel.Debug);
            builder.AddFilter("Microsoft", LogLevel.Warning);
            builder.AddFilter("MQTTnet", LogLevel.Warning);
            builder.AddProvider(logs);
        }

        var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(Logging);
        var options = new DevStackOptions
        {
            DataDir = dataDir,
            Proplets = proplets,
            MqttPort = 0,
            HttpPort = 0,
            ProxyHttpPort = 0,
            LogLevel = LogLevel.Debug,
            LivelinessIntervalSeconds = 1,
            ProxyEnvironment = proxyEnvironment ?? new Dictionary<string, string>(),
            PropletEnvironment = propletEnvironment ?? new Dictionary<string, string>(),
            ManagerEnvironment = managerEnvironment ?? new Dictionary<string, string>(),
        };
        var stack = await DevStack.StartAsync(options, loggerFactory, Logging, CancellationToken.None);
        var environment = new PropellerTestEnvironment(stack, logs, loggerFactory, dataDir, ownsDataDir);
        await environment.WaitForAlivePropletsAsync(proplets);
        return environment;
    }

    /// <summary>Errors matching <paramref name="expected"/> do not fail the test.</summary>
    public void ExpectError(Func<LogEntry, bool> expected) => _expectedErrors.Add(expected);

    public async Task WaitForAlivePropletsAsync(int count) =>
        await Eventually.ValueAsync(
            async () => await Http.GetFromJsonAsync("proplets?status=active", Json.PropletPage),
            page => page.Proplets.Count == count,
            $"{count} alive proplets");

    public async Task<TaskDto> CreateTaskAsync(TaskDto task)
    {
        using var response = await Http.PostAsJsonAsync("tasks", task, Json.TaskDto);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(Json.TaskDto))!;
    }

    public async Task<TaskDto> GetTaskAsync(string id) => (await Http.GetFromJsonAsync($"tasks/{id}", Json.TaskDto))!;

    public async Task<PropletView> GetPropletAsync(string id) => (await Http.GetFromJsonAsync($"proplets/{id}", Json.PropletView))!;

    public Task<TaskDto> WaitForTaskAsync(string id, Func<TaskDto, bool> done, string what) =>
        Eventually.ValueAsync(() => GetTaskAsync(id)!, done, what);

    public Task<TaskDto> WaitForTerminalAsync(string id) =>
        WaitForTaskAsync(id, t => t.State is TaskState.Completed or TaskState.Failed, $"task {id} to finish");

    public T PropletService<T>(int index)
        where T : notnull => Stack.PropletHosts[index].Services.GetRequiredService<T>();

    public PropletMetrics PropletMetrics(int index) => PropletService<PropletMetrics>(index);

    public WasmtimeCoreRuntime Runtime(int index) => PropletService<WasmtimeCoreRuntime>(index);

    /// <summary>Drops proplet <paramref name="index"/>'s connection without a DISCONNECT, as a crash would.</summary>
    public Task KillPropletConnectionAsync(int index) => PropletService<PropellerMqttClient>(index).AbortAsync();

    /// <summary>An extra MQTT client authenticated as a new proplet entity of the stack's channel.</summary>
    public async Task<PropellerMqttClient> ConnectClientAsync(string name)
    {
        var (tenant, channel) = ChannelOfManager();
        var issued = Stack.Credentials.CreateEntity(tenant, name, EntityRole.Proplet);
        Stack.Credentials.Grant(issued.Entity.Id, channel, ChannelPermissions.Publish | ChannelPermissions.Subscribe);
        var client = new PropellerMqttClient(
            new MqttConnectionOptions
            {
                Address = $"tcp://127.0.0.1:{Stack.MqttPort}",
                ClientId = issued.Entity.Id,
                Username = issued.Entity.Id,
                Password = issued.ApiKey,
            },
            LoggerFactory.CreateLogger<PropellerMqttClient>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.StartAsync(waitForConnection: true, timeout.Token);
        return client;
    }

    public (string Tenant, string Channel) ChannelOfManager()
    {
        var manager = Contracts.Configuration.ConfigToml.ReadSection(Stack.ConfigPath, "manager")!;
        return (manager["tenant_id"], manager["channel_id"]);
    }

    public static byte[] Wat(string example, string file) => WatCompiler.ToWasm(File.ReadAllText(RepoPaths.Example(example, file)));

    public static JsonElement String(string value) => JsonSerializer.SerializeToElement(value, Json.String);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Stack.DisposeAsync();
        LoggerFactory.Dispose();
        if (_ownsDataDir)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the temp folder is cleaned by the system.
            }
        }

        Logs.AssertNoUnexpectedErrors(e => _expectedErrors.Any(x => x(e)));
    }
}
