namespace Propeller.Contracts.Messages;

public sealed record ProcessMetrics
{
    public double CpuPercent { get; set; }

    public ulong MemoryBytes { get; set; }

    public double MemoryPercent { get; set; }

    public ulong DiskReadBytes { get; set; }

    public ulong DiskWriteBytes { get; set; }

    public ulong UptimeSeconds { get; set; }

    public uint ThreadCount { get; set; }

    public uint FileDescriptorCount { get; set; }
}
