namespace Propeller.Contracts.Messages;

public sealed record CpuMetrics
{
    public double UserSeconds { get; init; }

    public double SystemSeconds { get; init; }

    /// <summary>System-wide CPU use, 0–100.</summary>
    public double Percent { get; init; }
}
