using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Propeller.Benchmarks.Delivery;

/// <summary>Ops take milliseconds: a few warmups and fifteen iterations keep the class to a few minutes on two cores.</summary>
internal sealed class DeliveryConfig : ManualConfig
{
    public DeliveryConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15).WithId("Delivery"));
        AddColumn(new ThroughputColumn());
    }
}
