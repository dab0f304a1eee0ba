using Prometheus;

namespace Propeller.Manager.Diagnostics;

/// <summary>
/// The manager's Prometheus metrics (manager-reference §10), in a registry of its own so several managers can
/// live in one process. As in the original, the latency summary observes seconds despite its name.
/// </summary>
internal sealed class ManagerMetrics
{
    private readonly Counter _requestCount;
    private readonly Summary _requestLatency;

    public ManagerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        _requestCount = factory.CreateCounter("manager_api_request_count", "Number of requests received.", new CounterConfiguration { LabelNames = ["method"] });
        _requestLatency = factory.CreateSummary("manager_api_request_latency_microseconds", "Total duration of requests.", new SummaryConfiguration
        {
            LabelNames = ["method"],
            Objectives = [new QuantileEpsilonPair(0.5, 0.05), new QuantileEpsilonPair(0.9, 0.01), new QuantileEpsilonPair(0.99, 0.001)],
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Counts one call of <paramref name="method"/> (e.g. <c>create-task</c>) and its duration.</summary>
    public void Observe(string method, TimeSpan elapsed)
    {
        _requestCount.WithLabels(method).Inc();
        _requestLatency.WithLabels(method).Observe(elapsed.TotalSeconds);
    }
}
