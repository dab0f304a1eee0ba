using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Propeller.Broker.Credentials;
using Propeller.Broker.Hosting;
using Propeller.Broker.Provisioning;
using Propeller.Cli.Hosts;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.FleetSim.Reporting;
using Propeller.Proplet.Runtimes;

namespace Propeller.FleetSim.Footprint;

/// <summary>
/// Resident memory of a real proplet and a real manager, each its own <c>dotnet propeller.dll</c> process against
/// the embedded broker of this process: both idle after settling, then the proplet while it runs many sleeping tasks.
/// </summary>
internal static class FootprintCommand
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static async Task<JsonObject> RunAsync(FootprintSettings settings, CancellationToken ct)
    {
        var propellerDll = FindPropellerDll();
        var dataDir = Directory.CreateTempSubdirectory("propeller-footprint-").FullName;
        var logging = HostLogging.Readable(LogLevel.Warning);
        using var loggerFactory = HostLogging.Factory(logging);
        var store = CredentialStore.InMemory();
        var provisioned = Provisioner.Provision(store, "footprint", "footprint", propletCount: 1, proxy: false, managerName: "footprint-manager");
        var configPath = Path.Combine(dataDir, "config.toml");
        ConfigTomlWriter.Write(configPath, provisioned);
        await using var broker = await EmbeddedBroker.StartAsync(new BrokerOptions { Host = IPAddress.Loopback.ToString(), Port = 0 }, store, loggerFactory, ct).ConfigureAwait(false);
        var mqtt = string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{broker.Port}");
        var httpPort = FreePort();
        try
        {
            using var manager = ChildHost.Start(propellerDll, "manager", dataDir, new Dictionary<string, string>
            {
                ["MANAGER_MQTT_ADDRESS"] = mqtt,
                ["MANAGER_HTTP_HOST"] = "127.0.0.1",
                ["MANAGER_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture),
                ["MANAGER_DATA_DIR"] = dataDir,
                ["MANAGER_INSECURE_NO_AUTH"] = "true",
                ["MANAGER_LOG_LEVEL"] = "warn",
            });
            using var proplet = ChildHost.Start(propellerDll, "proplet", dataDir, new Dictionary<string, string>
            {
                ["PROPLET_CONFIG_FILE"] = configPath,
                ["PROPLET_CONFIG_SECTION"] = "proplet",
                ["PROPLET_MQTT_ADDRESS"] = mqtt,
                ["PROPLET_LOG_LEVEL"] = "warn",
                ["PROPLET_METRICS_ENABLED"] = "false",
                ["PROPLET_CACHE_DIR"] = Path.Combine(dataDir, "cache"),

                // Every nap runs at once: the measure is the RSS of that many live guests, not of the default 64
                // with the rest waiting for a slot.
                ["PROPLET_MAX_CONCURRENT_TASKS"] = settings.Tasks.ToString(CultureInfo.InvariantCulture),
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitForPropletAsync(http, [manager, proplet], ct).ConfigureAwait(false);

            await Task.Delay(TimeSpan.FromSeconds(settings.SettleSeconds), ct).ConfigureAwait(false);
            var managerIdle = ProcStatus.RssMiB(manager.Pid);
            var propletIdle = ProcStatus.RssMiB(proplet.Pid);
            Console.WriteLine($"footprint: idle RSS manager {managerIdle} MiB, proplet {propletIdle} MiB");

            var load = await RunNapsAsync(http, proplet, settings, ct).ConfigureAwait(false);
            var managerAfter = ProcStatus.RssMiB(manager.Pid);
            foreach (var failure in load.Failures)
            {
                Console.WriteLine($"footprint: task error {failure}");
            }

            Console.WriteLine($"footprint: {load.Completed}/{settings.Tasks} naps done in {load.Seconds:0.0} s; proplet peak {load.PeakSampled} MiB (VmHWM {load.Hwm} MiB)");

            var table = new Table("process", "state", "RSS MiB");
            table.Add("manager", $"idle {settings.SettleSeconds} s", F(managerIdle));
            table.Add("proplet", $"idle {settings.SettleSeconds} s", F(propletIdle));
            table.Add("proplet", $"{settings.Tasks} concurrent naps, peak sampled", F(load.PeakSampled));
            table.Add("proplet", $"{settings.Tasks} concurrent naps, VmHWM", F(load.Hwm));
            table.Add("manager", $"after {settings.Tasks} tasks", F(managerAfter));
            Console.WriteLine();
            table.Print(Console.Out);
            return new JsonObject
            {
                ["command"] = "footprint",
                ["machine"] = Machine.Describe(),
                ["settle_seconds"] = settings.SettleSeconds,
                ["manager_idle_rss_mib"] = managerIdle,
                ["proplet_idle_rss_mib"] = propletIdle,
                ["proplet_tasks"] = settings.Tasks,
                ["proplet_task"] = $"examples/nap nap({settings.NapMilliseconds})",
                ["proplet_tasks_completed"] = load.Completed,
                ["proplet_tasks_seconds"] = Math.Round(load.Seconds, 2),
                ["proplet_max_running_seen"] = load.MaxRunning,
                ["proplet_task_errors"] = new JsonArray([.. load.Failures.Select(f => (JsonNode)f)]),
                ["proplet_loaded_peak_rss_mib"] = load.PeakSampled,
                ["proplet_peak_rss_hwm_mib"] = load.Hwm,
                ["manager_rss_after_tasks_mib"] = managerAfter,
            };
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A child may hold a file a moment longer; the system's temp cleaner takes it.
            }
        }
    }

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The CLI next to this program when its runtime config was copied too, else the CLI's own Release build.</summary>
    private static string FindPropellerDll()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "propeller.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "propeller.runtimeconfig.json")))
        {
            return local;
        }

        var built = Path.Combine(ResultFile.RepoRoot(), "src", "Propeller.Cli", "bin", "Release", "net10.0", "propeller.dll");
        return File.Exists(built)
            ? built
            : throw new InvalidOperationException($"propeller.dll not found next to this program nor at {built}; run dotnet build -c Release src/Propeller.Cli");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPropletAsync(HttpClient http, ChildHost[] children, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            foreach (var child in children)
            {
                child.ThrowIfExited();
            }

            try
            {
                var page = await http.GetFromJsonAsync("proplets?status=active", Json.PropletPage, ct).ConfigureAwait(false);
                if (page!.Total >= 1)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The manager is not listening yet.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("the proplet did not become alive at the manager within 60 s");
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the tasks, starts them all at once and samples the proplet's RSS every 100 ms until they end.</summary>
    private static async Task<NapLoad> RunNapsAsync(HttpClient http, ChildHost proplet, FootprintSettings settings, CancellationToken ct)
    {
        var wasm = Convert.ToBase64String(WatCompiler.ToWasm(await File.ReadAllTextAsync(Path.Combine(ResultFile.RepoRoot(), "examples", "nap", "nap.wat"), ct).ConfigureAwait(false)));
        var ids = new List<string>();
        for (var i = 0; i < settings.Tasks; i++)
        {
            var request = new TaskDto { Name = "nap", File = wasm, Inputs = [settings.NapMilliseconds.ToString(CultureInfo.InvariantCulture)] };
            using var created = await http.PostAsJsonAsync("tasks", request, Json.TaskDto, ct).ConfigureAwait(false);
            created.EnsureSuccessStatusCode();
            ids.Add((await created.Content.ReadFromJsonAsync(Json.TaskDto, ct).ConfigureAwait(false))!.Id);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async id =>
        {
            using var started = await http.PostAsync($"tasks/{id}/start", null, ct).ConfigureAwait(false);
            started.EnsureSuccessStatusCode();
        })).ConfigureAwait(false);

        var peak = 0.0;
        var maxRunning = 0;
        var completed = 0;
        List<string> failures = [];
        var deadline = TimeSpan.FromMilliseconds(settings.NapMilliseconds) + TimeSpan.FromSeconds(120);
        var lastPoll = TimeSpan.Zero;
        while (clock.Elapsed < deadline)
        {
            proplet.ThrowIfExited();
            peak = Math.Max(peak, ProcStatus.RssMiB(proplet.Pid));
            if (clock.Elapsed - lastPoll >= TimeSpan.FromMilliseconds(500))
            {
                lastPoll = clock.Elapsed;
                var tasks = await ListTasksAsync(http, ct).ConfigureAwait(false);
                maxRunning = Math.Max(maxRunning, tasks.Count(t => t.State == TaskState.Running));
                completed = tasks.Count(t => t.State == TaskState.Completed);
                failures = [.. tasks.Where(t => t.State != TaskState.Completed && t.Error is not null).Select(t => $"{t.State}: {t.Error}").Distinct()];
                if (tasks.All(t => t.State is TaskState.Completed or TaskState.Failed or TaskState.Interrupted or TaskState.Skipped))
                {
                    break;
                }
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        return new NapLoad(completed, clock.Elapsed.TotalSeconds, maxRunning, peak, ProcStatus.PeakRssMiB(proplet.Pid), failures);
    }

    /// <summary>Every task, 100 a page (the manager's largest).</summary>
    private static async Task<List<TaskDto>> ListTasksAsync(HttpClient http, CancellationToken ct)
    {
        var tasks = new List<TaskDto>();
        while (true)
        {
            var page = await http.GetFromJsonAsync(
                string.Create(CultureInfo.InvariantCulture, $"tasks?offset={tasks.Count}&limit=100"), Json.TaskPage, ct).ConfigureAwait(false);
            tasks.AddRange(page!.Tasks);
            if (page.Tasks.Count == 0 || (ulong)tasks.Count >= page.Total)
            {
                return tasks;
            }
        }
    }

    private sealed record NapLoad(int Completed, double Seconds, int MaxRunning, double PeakSampled, double Hwm, List<string> Failures);
}
