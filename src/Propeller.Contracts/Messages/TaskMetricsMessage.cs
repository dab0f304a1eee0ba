namespace Propeller.Contracts.Messages;

/// <summary><c>control/proplet/task_metrics</c>: samples of a running task (proplet-reference §1.3.5).</summary>
public sealed record TaskMetricsMessage
{
    public string TaskId { get; set; } = "";

    public string PropletId { get; set; } = "";

    public DateTimeOffset Timestamp { get; set; }

    public ProcessMetrics Metrics { get; set; } = new();

    /// <summary>Null when the profile keeps no history; always written.</summary>
    public AggregatedMetrics? Aggregated { get; set; }
}
