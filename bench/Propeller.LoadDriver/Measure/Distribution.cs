using System.Text.Json.Nodes;

namespace Propeller.LoadDriver.Measure;

/// <summary>Percentiles of a set of durations (nearest-rank), in milliseconds.</summary>
internal sealed record Distribution(int Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static Distribution Of(IReadOnlyCollection<TimeSpan> samples)
    {
        if (samples.Count == 0)
        {
            return new Distribution(0, 0, 0, 0, 0, 0);
        }

        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        return new Distribution(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1], sorted.Average());
    }

    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["p50Ms"] = Math.Round(P50, 4),
        ["p90Ms"] = Math.Round(P90, 4),
        ["p99Ms"] = Math.Round(P99, 4),
        ["maxMs"] = Math.Round(Max, 4),
        ["meanMs"] = Math.Round(Mean, 4),
    };

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
