using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Proplet.Runtimes;
using Propeller.Testing;
using Propeller.Testing.Postgres;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Storage;

/// <summary>
/// The real <c>propeller manager</c> as a child process on a real PostgreSQL server, with the embedded broker and a
/// proplet in this process. After a crash (SIGKILL: no graceful shutdown, nothing marked Interrupted) a new manager
/// on the same database must know every task as it was. What a restart does to a task that was Running
/// (docs/architecture.md, "Storage"): it stays Running, still mapped to its proplet, because that proplet is still
/// executing it; its result, or a stop sent through the new manager, ends it.
/// </summary>
public sealed class PostgresRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    private readonly string _directory = Directory.CreateTempSubdirectory("propeller-pg-recovery-").FullName;
    private readonly CapturingLoggerProvider _logs = new(new TestOutputSink(output));
    private ILoggerFactory _loggerFactory = null!;
    private PostgresProcess _postgres = null!;
    private EmbeddedBroker _broker = null!;
    private IHost _proplet = null!;
    private string _configPath = null!;
    private string _database = null!;

    private ITestOutputHelper TestOutput => output;

    private string MqttAddress => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{_broker.Port}");

    public async Task InitializeAsync()
    {
        _loggerFactory = LoggerFactory.Create(Logging);
        _postgres = await PostgresProcess.StartAsync();
        _database = await _postgres.CreateDatabaseAsync("recovery");

        var store = CredentialStore.Open(Path.Combine(_directory, "credentials.json"), logger: _loggerFactory.CreateLogger<CredentialStore>());
        _configPath = Path.Combine(_directory, "config.toml");
        ConfigTomlWriter.Write(_configPath, Provisioner.Provision(store, "recovery", "recovery", propletCount: 1, proxy: false, managerName: "pg-manager"));
        _broker = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = 0 }, store, _loggerFactory);

        _proplet = PropletApp.Build(
            PropletOptions.FromEnvironment(new Dictionary<string, string>
            {
                ["PROPLET_CONFIG_FILE"] = _configPath,
                ["PROPLET_CONFIG_SECTION"] = "proplet",
                ["PROPLET_MQTT_ADDRESS"] = MqttAddress,
                ["PROPLET_LIVELINESS_INTERVAL"] = "1",
                ["PROPLET_METRICS_ENABLED"] = "false",
                ["PROPLET_CACHE_DIR"] = Path.Combine(_directory, "cache"),
            }),
            Logging);
        await _proplet.StartAsync();
    }

    public async Task DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _proplet.StopAsync(timeout.Token);
        _proplet.Dispose();
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
        _loggerFactory.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Manager_KilledWhileTaskRuns_RestartedOnPostgresKnowsEveryTaskAndCanStopTheRunningOne()
    {
        var runtime = _proplet.Services.GetRequiredService<WasmtimeCoreRuntime>();
        string completedId;
        string runningId;
        string propletId;
        await using (var first = await ManagerProcess.StartAsync(this, "first"))
        {
            var add = await first.CreateTaskAsync(new TaskDto { Name = "add", File = Wasm("add", "add.wat"), Inputs = ["10", "20"] });
            await first.StartTaskAsync(add.Id);
            var done = await first.WaitForTaskAsync(add.Id, t => t.State == TaskState.Completed, "the add task to complete");
            Assert.Equal("30", done.Results!.Value.GetString());
            completedId = add.Id;

            var loop = await first.CreateTaskAsync(new TaskDto { Name = "loop", File = Wasm("loop", "loop.wat") });
            await first.StartTaskAsync(loop.Id);
            var running = await first.WaitForTaskAsync(loop.Id, t => t.State == TaskState.Running, "the loop task to run");
            await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the loop guest to be executing on the proplet");
            runningId = loop.Id;
            propletId = running.PropletId!;

            first.Kill();
        }

        // The proplet never noticed: the guest still runs while no manager exists.
        Assert.Equal(1, runtime.ActiveExecutions);

        await using var second = await ManagerProcess.StartAsync(this, "second");
        var completed = await second.GetTaskAsync(completedId);
        Assert.Equal(TaskState.Completed, completed.State);
        Assert.Equal("30", completed.Results!.Value.GetString());
        Assert.Equal(propletId, completed.PropletId);

        var stillRunning = await second.GetTaskAsync(runningId);
        Assert.Equal(TaskState.Running, stillRunning.State);
        Assert.Equal(propletId, stillRunning.PropletId);
        Assert.Null(stillRunning.Error);

        // The new manager found the proplet through the stored task→proplet map: the stop reaches the guest.
        using (var stop = await second.Http.PostAsync($"tasks/{runningId}/stop", null))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var stopped = await second.WaitForTaskAsync(runningId, t => t.State is TaskState.Completed or TaskState.Failed, "the stopped loop task to end");
        Assert.Equal(TaskState.Failed, stopped.State);
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the loop guest to be stopped");
        Assert.Equal(TaskState.Completed, (await second.GetTaskAsync(completedId)).State);
        _logs.AssertNoUnexpectedErrors();
    }

    [Fact]
    public async Task Manager_KilledWhileATaskFinishes_RestartedManagerGetsTheMissedResult()
    {
        var runtime = _proplet.Services.GetRequiredService<WasmtimeCoreRuntime>();
        string napId;
        await using (var first = await ManagerProcess.StartAsync(this, "first"))
        {
            var nap = await first.CreateTaskAsync(new TaskDto { Name = "nap", File = Wasm("nap", "nap.wat"), Inputs = ["2000"] });
            await first.StartTaskAsync(nap.Id);
            await first.WaitForTaskAsync(nap.Id, t => t.State == TaskState.Running, "the nap task to run");
            await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the nap guest to be executing on the proplet");
            napId = nap.Id;
            first.Kill();
        }

        // The task finishes while no manager exists: its result goes out to nobody.
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the nap guest to finish");

        // The new manager asks its proplets to announce themselves; the proplet sends its recent results again.
        await using var second = await ManagerProcess.StartAsync(this, "second");
        var done = await second.WaitForTaskAsync(napId, t => t.State != TaskState.Running, "the missed result to arrive");
        Assert.Equal(TaskState.Completed, done.State);
        Assert.Equal("42", done.Results!.Value.GetString());
        _logs.AssertNoUnexpectedErrors();
    }

    [Fact]
    public async Task Manager_PostgresUnreachable_ExitsNamingHostPortAndDatabase()
    {
        var port = FreePort.Next();

        var (exitCode, text) = await ManagerProcess.RunUntilExitAsync(this, new Dictionary<string, string>
        {
            ["MANAGER_POSTGRES_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["MANAGER_POSTGRES_DB"] = "fleet",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"127.0.0.1:{port}/fleet", text, StringComparison.Ordinal);
    }

    private static string Wasm(string example, string file) => Convert.ToBase64String(WatCompiler.ToWasm(File.ReadAllText(RepoPaths.Example(example, file))));

    private void Logging(ILoggingBuilder builder)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(LogLevel.Debug);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("MQTTnet", LogLevel.Warning);
        builder.AddProvider(_logs);
    }

    /// <summary><c>dotnet propeller.dll manager</c> with MANAGER_* pointing at this test's broker and database.</summary>
    private sealed class ManagerProcess : IAsyncDisposable
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output;
        private readonly string _name;
        private readonly ITestOutputHelper _testOutput;

        private ManagerProcess(Process process, ConcurrentQueue<string> output, string name, ITestOutputHelper testOutput, Uri baseAddress)
        {
            _process = process;
            _output = output;
            _name = name;
            _testOutput = testOutput;
            Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        }

        public HttpClient Http { get; }

        public static async Task<ManagerProcess> StartAsync(PostgresRecoveryTests test, string name)
        {
            // The port was free a moment ago, but another test process may bind it first: this manager then exits,
            // and another server may even answer on the port. A new port is tried then.
            for (var attempt = 1; ; attempt++)
            {
                var httpPort = FreePort.Next();
                var (process, output) = Launch(test, new Dictionary<string, string> { ["MANAGER_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture) });
                var manager = new ManagerProcess(process, output, name, test.TestOutput, new Uri($"http://127.0.0.1:{httpPort}/"));
                try
                {
                    var deadline = DateTime.UtcNow + StartTimeout;
                    while (!await manager.IsHealthyAsync())
                    {
                        if (process.HasExited && attempt < 3)
                        {
                            break;
                        }

                        if (process.HasExited || DateTime.UtcNow > deadline)
                        {
                            throw new Xunit.Sdk.XunitException($"manager '{name}' did not become healthy:\n{string.Join('\n', output)}");
                        }

                        await Task.Delay(100);
                    }

                    if (process.HasExited)
                    {
                        await manager.DisposeAsync();
                        continue;
                    }

                    return await WaitForPropletAsync(manager, name);
                }
                catch
                {
                    await manager.DisposeAsync();
                    throw;
                }
            }
        }

        private static async Task<ManagerProcess> WaitForPropletAsync(ManagerProcess manager, string name)
        {
            // Ready for work once the proplet is known alive again (it answers the start-up discovery request).
            await Eventually.ValueAsync(
                async () => await manager.Http.GetFromJsonAsync("proplets?status=active", Json.PropletPage),
                page => page.Proplets.Count == 1,
                $"manager '{name}' to see the proplet alive",
                StartTimeout);
            return manager;
        }

        public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(PostgresRecoveryTests test, Dictionary<string, string> environment)
        {
            environment["MANAGER_HTTP_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
            var (process, output) = Launch(test, environment);
            using (process)
            {
                using var timeout = new CancellationTokenSource(StartTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new Xunit.Sdk.XunitException($"the manager did not exit:\n{string.Join('\n', output)}");
                }

                process.WaitForExit(); // drains the redirected output
                var text = string.Join('\n', output);
                test.TestOutput.WriteLine(text);
                return (process.ExitCode, text);
            }
        }

        public async Task<TaskDto> CreateTaskAsync(TaskDto task)
        {
            using var response = await Http.PostAsJsonAsync("tasks", task, Json.TaskDto);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync(Json.TaskDto))!;
        }

        public async Task StartTaskAsync(string id)
        {
            using var start = await Http.PostAsync($"tasks/{id}/start", null);
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        public async Task<TaskDto> GetTaskAsync(string id) => (await Http.GetFromJsonAsync($"tasks/{id}", Json.TaskDto))!;

        public Task<TaskDto> WaitForTaskAsync(string id, Func<TaskDto, bool> done, string what) =>
            Eventually.ValueAsync(() => GetTaskAsync(id)!, done, what);

        /// <summary>SIGKILL: the process gets no chance to stop tasks, mark them Interrupted or disconnect.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            Http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _testOutput.WriteLine($"---- manager '{_name}' output ----\n{string.Join('\n', _output)}");
            _process.Dispose();
            return ValueTask.CompletedTask;
        }

        private static (Process Process, ConcurrentQueue<string> Output) Launch(PostgresRecoveryTests test, IReadOnlyDictionary<string, string> extra)
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : RequiredTool.Require("dotnet");
            var cli = Path.Combine(AppContext.BaseDirectory, "propeller.dll");
            var start = new ProcessStartInfo(dotnet, [cli, "manager", "--config", test._configPath])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = test._directory,
            };
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MANAGER_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["MANAGER_MQTT_ADDRESS"] = test.MqttAddress;
            start.Environment["MANAGER_HTTP_HOST"] = "127.0.0.1";
            start.Environment["MANAGER_INSECURE_NO_AUTH"] = "true";
            start.Environment["MANAGER_DATA_DIR"] = Path.Combine(test._directory, "manager");
            start.Environment["MANAGER_LOG_LEVEL"] = "info";
            start.Environment["MANAGER_STORAGE_TYPE"] = "postgres";
            start.Environment["MANAGER_POSTGRES_HOST"] = PostgresProcess.Host;
            start.Environment["MANAGER_POSTGRES_PORT"] = test._postgres.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment["MANAGER_POSTGRES_USER"] = PostgresProcess.User;
            start.Environment["MANAGER_POSTGRES_DB"] = test._database;
            foreach (var (key, value) in extra)
            {
                start.Environment[key] = value;
            }

            var output = new ConcurrentQueue<string>();
            var process = Process.Start(start) ?? throw new InvalidOperationException("the manager process did not start");
            process.OutputDataReceived += (_, e) => Keep(output, e.Data);
            process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return (process, output);
        }

        private static void Keep(ConcurrentQueue<string> output, string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            while (output.Count > 400)
            {
                output.TryDequeue(out _);
            }
        }

        private async Task<bool> IsHealthyAsync()
        {
            try
            {
                // Our manager answers both; another server that took the port would not serve the proplet list.
                using var health = await Http.GetAsync("health");
                using var proplets = await Http.GetAsync("proplets?limit=1");
                return health.IsSuccessStatusCode && proplets.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }
    }
}
