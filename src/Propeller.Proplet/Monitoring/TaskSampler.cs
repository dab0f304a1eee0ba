using System.Diagnostics;
using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Monitoring;

/// <summary>
/// Takes the samples of one monitored task (proplet-reference §1.3.5). Once the runtime has reported the guest's OS
/// thread, CPU time and disk I/O are that thread's, so they describe the task; until then, and off Linux, they are
/// the proplet process's. Memory, threads and file descriptors are always the process's: every guest shares them.
/// Collectors the profile turns off report 0.
/// </summary>
internal sealed class TaskSampler
{
    private readonly MonitoringProfile _profile;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Lock _lock = new();
    private int? _threadId;
    private (double CpuSeconds, long At) _previous;

    public TaskSampler(MonitoringProfile profile, TimeProvider time)
    {
        _profile = profile;
        _time = time;
        _started = time.GetTimestamp();
        _previous = (ProcessCpuSeconds(), _started);
    }

    /// <summary>The guest's Linux thread id, once known.</summary>
    public int? ThreadId
    {
        get
        {
            lock (_lock)
            {
                return _threadId;
            }
        }
    }

    /// <summary>From now on CPU and disk I/O are measured on thread <paramref name="threadId"/>, which has just started.</summary>
    public void AttachThread(int threadId)
    {
        lock (_lock)
        {
            _threadId = threadId;

            // A fresh thread has used no CPU time yet.
            _previous = (0, _time.GetTimestamp());
        }
    }

    /// <exception cref="IOException">The guest thread is gone: monitoring of the task is over.</exception>
    public ProcessMetrics Sample()
    {
        int? threadId;
        lock (_lock)
        {
            threadId = _threadId;
        }

        var taskDirectory = threadId is { } tid ? $"/proc/self/task/{tid}" : "/proc/self";
        var metrics = new ProcessMetrics
        {
            UptimeSeconds = (ulong)_time.GetElapsedTime(_started).TotalSeconds,
        };

        if (_profile.CollectCpu)
        {
            metrics.CpuPercent = CpuPercent(threadId, taskDirectory);
        }

        if (_profile.CollectDiskIo && OperatingSystem.IsLinux() && ReadOptional(Path.Join(taskDirectory, "io")) is { } io
            && ProcIo.StorageBytes(io) is { } bytes)
        {
            (metrics.DiskReadBytes, metrics.DiskWriteBytes) = bytes;
        }

        if (_profile.CollectMemory || _profile.CollectThreads)
        {
            var status = OperatingSystem.IsLinux() ? ReadOptional("/proc/self/status") : null;
            if (_profile.CollectMemory)
            {
                metrics.MemoryBytes = (status is null ? null : ProcFs.KilobyteField(status, "VmRSS")) ?? (ulong)Environment.WorkingSet;
            }

            if (_profile.CollectThreads)
            {
                metrics.ThreadCount = (status is null ? null : ProcIo.ThreadCount(status)) ?? ProcessThreadCount();
            }
        }

        if (_profile.CollectFileDescriptors && OperatingSystem.IsLinux())
        {
            metrics.FileDescriptorCount = (uint)Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }

        return metrics;
    }

    // CPU time used since the previous sample over the wall time that passed; can exceed 100 for the process.
    private double CpuPercent(int? threadId, string taskDirectory)
    {
        var seconds = threadId is null
            ? ProcessCpuSeconds()
            : ProcFs.ProcessCpuTicks(File.ReadAllText(Path.Join(taskDirectory, "stat"))) is { } ticks
                ? (ticks.User + ticks.System) / ProcFs.ClockTicksPerSecond
                : 0;
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (threadId != _threadId)
            {
                // The thread was attached while this sample was taken; the next one measures it.
                return 0;
            }

            var (previousSeconds, previousAt) = _previous;
            _previous = (seconds, now);
            var wall = _time.GetElapsedTime(previousAt, now).TotalSeconds;
            return wall > 0 ? Math.Max(0, seconds - previousSeconds) / wall * 100 : 0;
        }
    }

    private static double ProcessCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && ReadOptional("/proc/self/stat") is { } stat && ProcFs.ProcessCpuTicks(stat) is { } ticks)
        {
            return (ticks.User + ticks.System) / ProcFs.ClockTicksPerSecond;
        }

        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static uint ProcessThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return (uint)process.Threads.Count;
    }

    private static string? ReadOptional(string path)
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
