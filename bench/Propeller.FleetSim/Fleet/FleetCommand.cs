using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet;
using Propeller.Broker.Credentials;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.FleetSim.Reporting;

namespace Propeller.FleetSim.Fleet;

/// <summary>
/// For each fleet size: connects the simulated proplets, runs tasks against them, then holds a steady phase in
/// which heartbeats are counted on both sides, <c>GET /proplets?limit=100</c> is timed and every second the manager
/// is asked which proplets it thinks are dead.
/// </summary>
internal static class FleetCommand
{
    /// <summary>How long connecting may take before the run goes on with the proplets it reached.</summary>
    private static readonly TimeSpan ConnectBudget = TimeSpan.FromSeconds(150);

    /// <summary>How long the task phase may take before the run goes on to the steady phase.</summary>
    private static readonly TimeSpan TaskBudget = TimeSpan.FromSeconds(90);

    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static async Task<JsonObject> RunAsync(FleetSettings settings, CancellationToken ct)
    {
        // Connect bursts block on PBKDF2 and socket work; a warm pool avoids the slow thread injection ramp.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));

        var runs = new JsonArray();
        var table = new Table("broker", "proplets", "connected", "connect s", "hb sent/s", "hb processed/s", "list p50 ms", "list p99 ms", "ever dead", "tasks ok", "task p50 ms", "task p99 ms", "cpu %", "broker cpu %");
        for (var index = 0; index < settings.Proplets.Count; index++)
        {
            var count = settings.Proplets[index];
            var taskCount = settings.TasksFor(index);
            Console.WriteLine($"fleet: {count} proplets, heartbeat every {settings.HeartbeatSeconds} s, {settings.Seconds} s steady, {taskCount} tasks, {settings.Storage} storage, {settings.StartTopic} start topic, {settings.Broker} broker");
            var run = await RunOneAsync(count, taskCount, settings, ct).ConfigureAwait(false);
            runs.Add(run.ToJson());
            table.Add(
                settings.Broker,
                count.ToString(CultureInfo.InvariantCulture),
                run.Connected.ToString(CultureInfo.InvariantCulture),
                F(run.ConnectSeconds),
                F(run.HeartbeatsSent / run.WindowSeconds),
                F(run.HeartbeatsProcessed / run.WindowSeconds),
                F(run.ListP50),
                F(run.ListP99),
                run.EverDead.ToString(CultureInfo.InvariantCulture),
                $"{run.TasksCompleted}/{run.TasksStarted}",
                F(run.TaskP50),
                F(run.TaskP99),
                F(run.CpuPercent),
                F(run.BrokerCpuPercent));
        }

        Console.WriteLine();
        table.Print(Console.Out);
        return new JsonObject
        {
            ["command"] = "fleet",
            ["machine"] = Machine.Describe(),
            ["heartbeat_seconds"] = settings.HeartbeatSeconds,
            ["steady_seconds"] = settings.Seconds,
            ["storage"] = settings.Storage,
            ["start_topic"] = settings.StartTopic,
            ["broker"] = settings.Broker,
            ["runs"] = runs,
        };
    }

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", CultureInfo.InvariantCulture);

    private static async Task<FleetRun> RunOneAsync(int count, int taskCount, FleetSettings settings, CancellationToken ct)
    {
        await using var stack = await FleetStack.StartAsync(count, settings.Storage, settings.Broker, ct).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = stack.ManagerUrl, Timeout = TimeSpan.FromSeconds(60) };
        var topics = new TopicBuilder(stack.TenantId, stack.ChannelId);
        var interval = TimeSpan.FromSeconds(settings.HeartbeatSeconds);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var proplets = new ConcurrentBag<SimulatedProplet>();
        var heartbeats = new ConcurrentBag<Task>();
        var connectErrors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var factory = new MqttClientFactory();
        if (settings.Broker == FleetStack.Mosquitto)
        {
            Console.WriteLine($"  {count} proplet entities created and mosquitto started in {stack.ProvisionSeconds:0.0} s (not in connect s)");
        }

        var clock = Stopwatch.StartNew();
        try
        {
            using (var budget = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                budget.CancelAfter(ConnectBudget);
                try
                {
                    await Parallel.ForEachAsync(
                        Enumerable.Range(0, count),
                        new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = budget.Token },
                        async (i, token) =>
                        {
                            var issued = stack.Proplet(i);
                            try
                            {
                                var proplet = await SimulatedProplet.ConnectAsync(
                                    factory, stack.MqttPort, topics, issued.Entity.Id, issued.ApiKey, settings.StartTopic == "direct", token).ConfigureAwait(false);
                                proplets.Add(proplet);

                                // Phases spread evenly over the interval, so the manager sees a steady stream rather than waves.
                                var phase = TimeSpan.FromTicks(interval.Ticks * i / count);
                                heartbeats.Add(proplet.HeartbeatAsync(phase, interval, heartbeatStop.Token));
                            }
                            catch (Exception e) when (e is not OperationCanceledException)
                            {
                                connectErrors.AddOrUpdate(e.GetType().Name + ": " + e.Message, 1, (_, n) => n + 1);
                            }
                        }).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    Console.WriteLine($"  connect budget of {ConnectBudget.TotalSeconds} s spent; going on with {proplets.Count} proplets");
                }
            }

            var connectSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"  {proplets.Count}/{count} connected in {connectSeconds:0.0} s");
            foreach (var (message, n) in connectErrors)
            {
                Console.WriteLine($"  connect failed {n}x: {message}");
            }

            var ids = proplets.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var seenAlive = await WaitForAliveAsync(http, ids.Count, ct).ConfigureAwait(false);
            Console.WriteLine($"  manager lists {seenAlive} alive after {clock.Elapsed.TotalSeconds:0.0} s");

            using var pollStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var dead = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            var deadPoll = PollDeadAsync(http, ids, dead, pollStop.Token);

            var tasks = await RunTasksAsync(http, taskCount, ct).ConfigureAwait(false);
            Console.WriteLine($"  tasks: {tasks.Completed}/{tasks.Started} completed, p50 {Percentiles.Of(tasks.Latencies, 50)} ms");
            foreach (var error in tasks.Errors)
            {
                Console.WriteLine($"  task error {error}");
            }

            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var brokerCpuBefore = stack.BrokerProcessorTime;
            foreach (var proplet in proplets)
            {
                proplet.Counting = true;
            }

            var windowStart = DateTimeOffset.UtcNow;
            var windowClock = Stopwatch.StartNew();
            var listLatencies = await SampleListAsync(http, TimeSpan.FromSeconds(settings.Seconds), ct).ConfigureAwait(false);
            foreach (var proplet in proplets)
            {
                proplet.Counting = false;
            }

            var windowSeconds = windowClock.Elapsed.TotalSeconds;
            var windowEnd = DateTimeOffset.UtcNow;
            process.Refresh();
            var cpuPercent = (process.TotalProcessorTime - cpuBefore).TotalSeconds / windowSeconds / Environment.ProcessorCount * 100;
            var brokerCpuPercent = stack.BrokerProcessorTime is { } brokerCpuAfter && brokerCpuBefore is { } brokerCpuStart
                ? (brokerCpuAfter - brokerCpuStart).TotalSeconds / windowSeconds / Environment.ProcessorCount * 100
                : double.NaN;

            await pollStop.CancelAsync().ConfigureAwait(false);
            await deadPoll.ConfigureAwait(false);
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(heartbeats).ConfigureAwait(false);

            // Heartbeats have stopped, so the manager's last-10 history still holds the whole window.
            var (processed, unknown) = await CountProcessedAsync(http, ids, windowStart, windowEnd, ct).ConfigureAwait(false);
            var sent = proplets.Sum(p => p.HeartbeatsSent);
            var failed = proplets.Sum(p => p.HeartbeatsFailed);
            Console.WriteLine($"  window {windowSeconds:0.0} s: {sent} heartbeats sent, {processed} recorded by the manager, {failed} publishes failed over the run, {dead.Count} proplets seen dead, {unknown} unknown to the manager, cpu {cpuPercent:0} %{(double.IsNaN(brokerCpuPercent) ? "" : $", mosquitto cpu {brokerCpuPercent:0} %")}");
            return new FleetRun(
                settings.Broker, count, proplets.Count, connectSeconds, [.. connectErrors.Select(kv => $"{kv.Value}x {kv.Key}")],
                windowSeconds, sent, processed, failed,
                Percentiles.Of(listLatencies, 50), Percentiles.Of(listLatencies, 99), listLatencies.Count,
                dead.Count, unknown, tasks.Started, tasks.Completed, tasks.Errors,
                Percentiles.Of(tasks.Latencies, 50), Percentiles.Of(tasks.Latencies, 99), cpuPercent, brokerCpuPercent);
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await Parallel.ForEachAsync(proplets, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (p, _) => await p.DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private static async Task<ulong> WaitForAliveAsync(HttpClient http, int expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ulong alive = 0;
        while (DateTime.UtcNow < deadline)
        {
            var page = await http.GetFromJsonAsync("proplets?status=active&limit=1", Json.PropletPage, ct).ConfigureAwait(false);
            alive = page!.Total;
            if (alive >= (ulong)expected)
            {
                break;
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }

        return alive;
    }

    /// <summary>Once a second: every simulated proplet the manager lists as inactive counts as "ever dead".</summary>
    private static async Task PollDeadAsync(HttpClient http, HashSet<string> ids, ConcurrentDictionary<string, byte> dead, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var page = await http.GetFromJsonAsync(
                    string.Create(CultureInfo.InvariantCulture, $"proplets?status=inactive&limit={ids.Count + 10}"), Json.PropletPage, ct).ConfigureAwait(false);
                foreach (var proplet in page!.Proplets.Where(p => ids.Contains(p.Id)))
                {
                    dead.TryAdd(proplet.Id, 0);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The steady phase is over.
        }
    }

    private static async Task<List<double>> SampleListAsync(HttpClient http, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new List<double>();
        var end = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (end.Elapsed < duration && await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync("proplets?limit=100", ct).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    /// <summary>
    /// Heartbeats the manager recorded (its alive history per proplet) between the two instants, and how many of the
    /// connected proplets it does not know at all (an overloaded broker may have lost their discovery).
    /// </summary>
    private static async Task<(long Processed, int Unknown)> CountProcessedAsync(HttpClient http, HashSet<string> ids, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        long total = 0;
        var unknown = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
        {
            using var response = await http.GetAsync($"proplets/{id}/alive-history?limit=100", token).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                Interlocked.Increment(ref unknown);
                return;
            }

            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync(Json.AliveHistoryPage, token).ConfigureAwait(false);
            Interlocked.Add(ref total, page!.History.Count(t => t >= from && t <= to));
        }).ConfigureAwait(false);
        return (total, unknown);
    }

    /// <summary>
    /// Creates and starts tasks eight at a time; latency runs from the start request to the stored result. A refused
    /// start or a failed task is counted with its message, not thrown: at scale that is a finding, not a crash.
    /// </summary>
    private static async Task<TaskOutcome> RunTasksAsync(HttpClient http, int count, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var completed = 0;
        var attempted = 0;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(TaskBudget);
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = budget.Token }, async (i, token) =>
            {
                Interlocked.Increment(ref attempted);
                var error = await RunTaskAsync(http, latencies, token).ConfigureAwait(false);
                if (error is null)
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    errors.AddOrUpdate(error, 1, (_, n) => n + 1);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            errors.AddOrUpdate($"task budget of {TaskBudget.TotalSeconds} s spent", 1, (_, n) => n + 1);
        }

        return new TaskOutcome(attempted, completed, [.. latencies], [.. errors.Select(kv => $"{kv.Value}x {kv.Key}")]);
    }

    /// <summary>One task from creation to its stored result; null when it completed, else why not.</summary>
    private static async Task<string?> RunTaskAsync(HttpClient http, ConcurrentBag<double> latencies, CancellationToken token)
    {
        var request = new TaskDto { Name = "add", ImageUrl = "fleetsim/canned:v1", Inputs = ["10", "20"] };
        using var created = await http.PostAsJsonAsync("tasks", request, Json.TaskDto, token).ConfigureAwait(false);
        if (!created.IsSuccessStatusCode)
        {
            return $"create: {(int)created.StatusCode}";
        }

        var task = (await created.Content.ReadFromJsonAsync(Json.TaskDto, token).ConfigureAwait(false))!;
        var start = Stopwatch.GetTimestamp();
        using (var started = await http.PostAsync($"tasks/{task.Id}/start", null, token).ConfigureAwait(false))
        {
            if (!started.IsSuccessStatusCode)
            {
                return $"start: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync(token).ConfigureAwait(false)}";
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var current = (await http.GetFromJsonAsync($"tasks/{task.Id}", Json.TaskDto, token).ConfigureAwait(false))!;
            if (current.State is TaskState.Completed)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                return null;
            }

            if (current.State is TaskState.Failed or TaskState.Interrupted or TaskState.Skipped)
            {
                return $"{current.State}: {current.Error}";
            }

            await Task.Delay(5, token).ConfigureAwait(false);
        }

        return "no result within 30 s";
    }

    private sealed record TaskOutcome(int Started, int Completed, List<double> Latencies, List<string> Errors);

    private sealed record FleetRun(
        string Broker, int Proplets, int Connected, double ConnectSeconds, List<string> ConnectErrors,
        double WindowSeconds, long HeartbeatsSent, long HeartbeatsProcessed, long HeartbeatsFailed,
        double ListP50, double ListP99, int ListSamples,
        int EverDead, int UnknownToManager, int TasksStarted, int TasksCompleted, List<string> TaskErrors, double TaskP50, double TaskP99, double CpuPercent, double BrokerCpuPercent)
    {
        public JsonObject ToJson() => new()
        {
            ["broker"] = Broker,
            ["proplets"] = Proplets,
            ["connected"] = Connected,
            ["connect_seconds"] = Math.Round(ConnectSeconds, 2),
            ["connect_errors"] = new JsonArray([.. ConnectErrors.Select(e => (JsonNode)e)]),
            ["window_seconds"] = Math.Round(WindowSeconds, 2),
            ["heartbeats_sent"] = HeartbeatsSent,
            ["heartbeats_processed"] = HeartbeatsProcessed,
            ["heartbeat_publishes_failed_whole_run"] = HeartbeatsFailed,
            ["heartbeats_sent_per_second"] = Math.Round(HeartbeatsSent / WindowSeconds, 1),
            ["heartbeats_processed_per_second"] = Math.Round(HeartbeatsProcessed / WindowSeconds, 1),
            ["list_proplets_p50_ms"] = ListP50,
            ["list_proplets_p99_ms"] = ListP99,
            ["list_proplets_samples"] = ListSamples,
            ["alive_proplets_ever_reported_dead"] = EverDead,
            ["connected_proplets_unknown_to_manager"] = UnknownToManager,
            ["tasks_started"] = TasksStarted,
            ["tasks_completed"] = TasksCompleted,
            ["task_errors"] = new JsonArray([.. TaskErrors.Select(e => (JsonNode)e)]),
            ["task_latency_p50_ms"] = Nullable(TaskP50),
            ["task_latency_p99_ms"] = Nullable(TaskP99),
            ["process_cpu_percent_of_machine"] = Math.Round(CpuPercent, 1),

            // Mosquitto runs in its own process; null with the embedded broker, whose CPU is in the figure above.
            ["mosquitto_cpu_percent_of_machine"] = double.IsNaN(BrokerCpuPercent) ? null : JsonValue.Create(Math.Round(BrokerCpuPercent, 1)),
        };

        private static JsonNode? Nullable(double value) => double.IsNaN(value) ? null : JsonValue.Create(value);
    }
}
