using System.Diagnostics;
using Propeller.Contracts.Messages;
using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class TaskSamplerTests
{
    [Fact]
    public void Sample_AttachedBusyThread_MeasuresThatThreadsCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var sampler = new TaskSampler(MonitoringProfile.Standard, TimeProvider.System);
        using var burned = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            sampler.AttachThread(OsThread.CurrentId()!.Value);

            // Burn at least 300 ms of this thread's own CPU time (clock ticks are 10 ms), then stay alive to be sampled.
            var limit = Stopwatch.StartNew();
            while (ThreadCpu() < TimeSpan.FromMilliseconds(300) && limit.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.SpinWait(1000);
            }

            burned.Set();
            release.Wait();
        });
        thread.Start();
        burned.Wait();

        var metrics = sampler.Sample();
        release.Set();
        thread.Join();

        Assert.NotNull(sampler.ThreadId);
        Assert.True(metrics.CpuPercent > 0, $"cpu_percent {metrics.CpuPercent}");
        Assert.True(metrics.MemoryBytes > 0);
        Assert.True(metrics.ThreadCount > 1);
        Assert.True(metrics.FileDescriptorCount > 0);
    }

    [Fact]
    public void Sample_ThreadGone_ThrowsIOException()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var sampler = new TaskSampler(MonitoringProfile.Standard, TimeProvider.System);
        var thread = new Thread(() => sampler.AttachThread(OsThread.CurrentId()!.Value));
        thread.Start();
        thread.Join();

        Assert.ThrowsAny<IOException>(() => SampleUntilItFails(sampler));
    }

    [Fact]
    public void Sample_EveryCollectorOff_ReportsZerosButUptime()
    {
        var profile = new MonitoringProfile
        {
            CollectCpu = false,
            CollectMemory = false,
            CollectDiskIo = false,
            CollectThreads = false,
            CollectFileDescriptors = false,
        };
        var sampler = new TaskSampler(profile, TimeProvider.System);

        var metrics = sampler.Sample();

        Assert.Equal(new ProcessMetrics { UptimeSeconds = metrics.UptimeSeconds }, metrics);
        Assert.Equal(0UL, metrics.UptimeSeconds);
    }

    // The kernel removes a finished thread's /proc entry shortly after it exits.
    private static void SampleUntilItFails(TaskSampler sampler)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            sampler.Sample();
            Thread.Sleep(20);
        }
    }

    private static TimeSpan ThreadCpu()
    {
        var stat = File.ReadAllText($"/proc/thread-self/stat");
        var ticks = Proplet.Monitoring.ProcFs.ProcessCpuTicks(stat)!.Value;
        return TimeSpan.FromSeconds((ticks.User + ticks.System) / Proplet.Monitoring.ProcFs.ClockTicksPerSecond);
    }
}
