namespace Propeller.Contracts.Messages;

public sealed record ProcessMetrics
{
    public double CpuPercent { get; init; }

    public ulong MemoryBytes { get; init; }

    public double MemoryPercent { get; init; }

    public ulong DiskReadBytes { get; init; }

    public ulong DiskWriteBytes { get; init; }

    public ulong UptimeSeconds { get; init; }

    public uint ThreadCount { get; init; }

    public uint FileDescriptorCount { get; init; }
}
