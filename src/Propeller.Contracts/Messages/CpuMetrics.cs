namespace Propeller.Contracts.Messages;

public sealed record CpuMetrics
{
    public double UserSeconds { get; set; }

    public double SystemSeconds { get; set; }

    /// <summary>System-wide CPU use, 0–100.</summary>
    public double Percent { get; set; }
}
