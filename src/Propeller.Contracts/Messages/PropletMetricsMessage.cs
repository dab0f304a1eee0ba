namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/metrics</c>: the proplet process's CPU and memory (proplet-reference §1.3.4).</summary>
public sealed record PropletMetricsMessage
{
    public string PropletId { get; set; } = "";

    public string? Namespace { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public CpuMetrics CpuMetrics { get; set; } = new();

    public MemoryMetrics MemoryMetrics { get; set; } = new();
}
