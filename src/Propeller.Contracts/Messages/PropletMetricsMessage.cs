namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/metrics</c>: the proplet process's CPU and memory (proplet-reference §1.3.4).</summary>
public sealed record PropletMetricsMessage
{
    public string PropletId { get; init; } = "";

    public string? Namespace { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    public CpuMetrics CpuMetrics { get; init; } = new();

    public MemoryMetrics MemoryMetrics { get; init; } = new();
}
