using Propeller.Contracts.Messages;
using Propeller.Proplet.Configuration;

namespace Propeller.Proplet.Monitoring;

/// <summary>
/// Samples the proplet's own CPU time and memory and the host's CPU use (proplet-reference §1.3.4). The
/// system-wide percentage covers the time since the previous sample, or since construction for the first one.
/// </summary>
internal sealed class SystemMetricsSampler
{
    private readonly PropletOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _ownCgroup;
    private readonly Lock _lock = new();
    private (ulong Total, ulong Idle)? _previousCpu;

    public SystemMetricsSampler(PropletOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        if (OperatingSystem.IsLinux())
        {
            _ownCgroup = ReadProc("/proc/self/cgroup") is { } cgroup ? CgroupMemory.UnifiedPath(cgroup) : null;
            _previousCpu = SystemCpu();
        }
    }

    public PropletMetricsMessage Sample() => new()
    {
        PropletId = _options.PropletId,
        Namespace = _options.Namespace,
        Timestamp = _time.GetUtcNow(),
        CpuMetrics = SampleCpu(),
        MemoryMetrics = SampleMemory(),
    };

    private CpuMetrics SampleCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new CpuMetrics();
        }

        var process = ReadProc("/proc/self/stat") is { } stat ? ProcFs.ProcessCpuTicks(stat) : null;
        var current = SystemCpu();
        double percent = 0;
        lock (_lock)
        {
            if (current is { } now)
            {
                if (_previousCpu is { } before)
                {
                    percent = ProcFs.BusyPercent(before, now);
                }

                _previousCpu = now;
            }
        }

        return new CpuMetrics
        {
            UserSeconds = (process?.User ?? 0) / ProcFs.ClockTicksPerSecond,
            SystemSeconds = (process?.System ?? 0) / ProcFs.ClockTicksPerSecond,
            Percent = percent,
        };
    }

    private MemoryMetrics SampleMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new MemoryMetrics { RssBytes = (ulong)Environment.WorkingSet };
        }

        var rss = ReadProc("/proc/self/status") is { } status ? ProcFs.KilobyteField(status, "VmRSS") : null;
        var (usage, limit) = CgroupMemory.Read(CgroupMemory.DefaultRoot, _ownCgroup);
        return new MemoryMetrics
        {
            RssBytes = rss ?? (ulong)Environment.WorkingSet,
            ContainerUsageBytes = usage,
            ContainerLimitBytes = limit,
        };
    }

    private static (ulong Total, ulong Idle)? SystemCpu() =>
        ReadProc("/proc/stat") is { } text ? ProcFs.SystemCpuTicks(text) : null;

    private static string? ReadProc(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
