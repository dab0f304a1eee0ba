namespace Propeller.Contracts.Messages;

public sealed record AggregatedMetrics
{
    public double AvgCpuUsage { get; init; }

    public double MaxCpuUsage { get; init; }

    public double AvgMemoryUsage { get; init; }

    public double MaxMemoryUsage { get; init; }

    public ulong TotalDiskRead { get; init; }

    public ulong TotalDiskWrite { get; init; }

    public ulong SampleCount { get; init; }
}
