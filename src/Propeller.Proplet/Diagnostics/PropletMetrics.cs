using Prometheus;
using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Diagnostics;

/// <summary>
/// The Prometheus metrics of one proplet (proplet-reference §6.4), in a registry of its own so several proplets can
/// live in one process. Tests and health checks read the task counters in process.
/// </summary>
internal sealed class PropletMetrics
{
    private readonly Counter _tasksStarted;
    private readonly Counter _tasksCompleted;
    private readonly Counter _tasksFailed;
    private readonly Gauge _tasksRunning;
    private readonly Counter _mqttReconnects;
    private readonly Counter _wasmFetchBytes;
    private readonly Counter _binaryCacheHits;
    private readonly Counter _binaryCacheMisses;
    private readonly Counter _binaryFetches;
    private readonly Gauge _cpuUsageRatio;
    private readonly Gauge _cpuUserSeconds;
    private readonly Gauge _cpuSystemSeconds;
    private readonly Gauge _memoryRssBytes;
    private readonly Gauge _containerUsageBytes;
    private readonly Gauge _containerLimitBytes;

    public PropletMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _tasksStarted = factory.CreateCounter("proplet_tasks_started_total", "Tasks accepted after the duplicate check.");
        _tasksCompleted = factory.CreateCounter("proplet_tasks_completed_total", "Tasks that ran successfully.");
        _tasksFailed = factory.CreateCounter("proplet_tasks_failed_total", "Accepted tasks that ended in an error, stops and failed daemons included.");
        _tasksRunning = factory.CreateGauge("proplet_tasks_running", "Tasks in the running-task table.");
        _mqttReconnects = factory.CreateCounter("proplet_mqtt_reconnects_total", "MQTT connects, the first one included.");
        _wasmFetchBytes = factory.CreateCounter("proplet_wasm_fetch_bytes_total", "Wasm bytes obtained for tasks.");
        _binaryCacheHits = factory.CreateCounter(
            "proplet_binary_cache_hits_total", "HTTP and proxy binaries served from the local binary cache (304, unchanged, pinned digest).");
        _binaryCacheMisses = factory.CreateCounter(
            "proplet_binary_cache_misses_total", "HTTP and proxy binaries whose bytes had to be transferred.");
        _binaryFetches = factory.CreateCounter(
            "proplet_binary_fetches_total", "Binaries obtained for tasks, by delivery path (inline, http, proxy), cache hits included.",
            new CounterConfiguration { LabelNames = ["source"] });
        _cpuUsageRatio = factory.CreateGauge("proplet_cpu_usage_ratio", "System-wide CPU use since the previous scrape, 0-1.");
        _cpuUserSeconds = factory.CreateGauge("proplet_cpu_user_seconds", "User CPU time of the proplet process.");
        _cpuSystemSeconds = factory.CreateGauge("proplet_cpu_system_seconds", "Kernel CPU time of the proplet process.");
        _memoryRssBytes = factory.CreateGauge("proplet_memory_rss_bytes", "Resident set size of the proplet process.");
        _containerUsageBytes = factory.CreateGauge("proplet_memory_container_usage_bytes", "Memory use of the proplet's cgroup; 0 when unknown.");
        _containerLimitBytes = factory.CreateGauge("proplet_memory_container_limit_bytes", "Memory limit of the proplet's cgroup; 0 when unlimited or unknown.");
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Starts accepted after the duplicate check.</summary>
    public long TasksStarted => (long)_tasksStarted.Value;

    public long TasksCompleted => (long)_tasksCompleted.Value;

    /// <summary>Accepted tasks that ended in an error, including stops.</summary>
    public long TasksFailed => (long)_tasksFailed.Value;

    /// <summary>Size of the running-task table.</summary>
    public long TasksRunning => (long)_tasksRunning.Value;

    /// <summary>Successful MQTT connects, the first one included.</summary>
    public long MqttConnects => (long)_mqttReconnects.Value;

    /// <summary>Wasm bytes obtained for tasks.</summary>
    public long WasmFetchBytes => (long)_wasmFetchBytes.Value;

    /// <summary>HTTP and proxy binaries served from the binary cache.</summary>
    public long BinaryCacheHits => (long)_binaryCacheHits.Value;

    /// <summary>HTTP and proxy binaries that had to be transferred.</summary>
    public long BinaryCacheMisses => (long)_binaryCacheMisses.Value;

    /// <summary>Binaries obtained for tasks through <paramref name="source"/> (<c>inline</c>, <c>http</c>, <c>proxy</c>).</summary>
    public long BinaryFetches(string source) => (long)_binaryFetches.WithLabels(source).Value;

    public void BinaryCacheHit() => _binaryCacheHits.Inc();

    public void BinaryCacheMiss() => _binaryCacheMisses.Inc();

    /// <summary>A binary of <paramref name="bytes"/> obtained for a task through <paramref name="source"/>.</summary>
    public void BinaryFetched(string source, int bytes)
    {
        _binaryFetches.WithLabels(source).Inc();
        _wasmFetchBytes.Inc(bytes);
    }

    public void TaskStarted()
    {
        _tasksStarted.Inc();
        _tasksRunning.Inc();
    }

    public void TaskLeftRunningTable() => _tasksRunning.Dec();

    public void TaskCompleted() => _tasksCompleted.Inc();

    public void TaskFailed() => _tasksFailed.Inc();

    public void MqttConnected() => _mqttReconnects.Inc();

    public void WasmFetched(int bytes) => _wasmFetchBytes.Inc(bytes);

    /// <summary>Sets the process and host gauges from a system-metrics sample.</summary>
    public void RecordSystem(PropletMetricsMessage sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        _cpuUsageRatio.Set(sample.CpuMetrics.Percent / 100);
        _cpuUserSeconds.Set(sample.CpuMetrics.UserSeconds);
        _cpuSystemSeconds.Set(sample.CpuMetrics.SystemSeconds);
        _memoryRssBytes.Set(sample.MemoryMetrics.RssBytes);
        _containerUsageBytes.Set(sample.MemoryMetrics.ContainerUsageBytes ?? 0);
        _containerLimitBytes.Set(sample.MemoryMetrics.ContainerLimitBytes ?? 0);
    }
}
