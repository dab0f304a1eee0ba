namespace Propeller.Contracts.Messages;

public sealed record AggregatedMetrics
{
    public double AvgCpuUsage { get; set; }

    public double MaxCpuUsage { get; set; }

    public double AvgMemoryUsage { get; set; }

    public double MaxMemoryUsage { get; set; }

    public ulong TotalDiskRead { get; set; }

    public ulong TotalDiskWrite { get; set; }

    public ulong SampleCount { get; set; }
}
