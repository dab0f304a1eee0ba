using Propeller.Contracts.Messages;
using Propeller.Proplet.Monitoring;

namespace Propeller.Proplet.Tests.Monitoring;

public sealed class MetricsHistoryTests
{
    [Fact]
    public void Aggregate_ThreeSamples_AveragesMaximaAndDiskDeltas()
    {
        var history = new MetricsHistory(10);
        history.Add(new ProcessMetrics { CpuPercent = 10, MemoryBytes = 100, DiskReadBytes = 1000, DiskWriteBytes = 50 });
        history.Add(new ProcessMetrics { CpuPercent = 50, MemoryBytes = 301, DiskReadBytes = 1500, DiskWriteBytes = 60 });
        history.Add(new ProcessMetrics { CpuPercent = 30, MemoryBytes = 200, DiskReadBytes = 4000, DiskWriteBytes = 90 });

        var aggregated = history.Aggregate();

        Assert.Equal(30, aggregated.AvgCpuUsage, 6);
        Assert.Equal(50, aggregated.MaxCpuUsage);
        Assert.Equal(200, aggregated.AvgMemoryUsage); // 601 / 3 rounded to whole bytes
        Assert.Equal(301, aggregated.MaxMemoryUsage);
        Assert.Equal(3000UL, aggregated.TotalDiskRead);
        Assert.Equal(40UL, aggregated.TotalDiskWrite);
        Assert.Equal(3UL, aggregated.SampleCount);
    }

    [Fact]
    public void Add_BeyondCapacity_DropsTheOldestSample()
    {
        var history = new MetricsHistory(2);
        history.Add(new ProcessMetrics { CpuPercent = 90 });
        history.Add(new ProcessMetrics { CpuPercent = 10 });
        history.Add(new ProcessMetrics { CpuPercent = 20 });

        var aggregated = history.Aggregate();

        Assert.Equal(2, history.Count);
        Assert.Equal(2UL, aggregated.SampleCount);
        Assert.Equal(20, aggregated.MaxCpuUsage);
    }

    [Fact]
    public void Aggregate_CounterWentBackwards_ReportsZeroDiskTotals()
    {
        var history = new MetricsHistory(5);
        history.Add(new ProcessMetrics { DiskReadBytes = 500, DiskWriteBytes = 500 });
        history.Add(new ProcessMetrics { DiskReadBytes = 100, DiskWriteBytes = 100 });

        var aggregated = history.Aggregate();

        Assert.Equal(0UL, aggregated.TotalDiskRead);
        Assert.Equal(0UL, aggregated.TotalDiskWrite);
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricsHistory(0));
}
