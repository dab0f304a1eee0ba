using Propeller.Contracts.Messages;

namespace Propeller.Proplet.Monitoring;

/// <summary>The last <c>history_size</c> samples of a task and their aggregate (proplet-reference §1.3.5).</summary>
internal sealed class MetricsHistory
{
    private readonly Queue<ProcessMetrics> _samples = new();
    private readonly int _capacity;

    public MetricsHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _samples.Count;

    /// <summary>Adds <paramref name="sample"/>, dropping the oldest once the history is full.</summary>
    public void Add(ProcessMetrics sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (_samples.Count == _capacity)
        {
            _samples.Dequeue();
        }

        _samples.Enqueue(sample);
    }

    /// <summary>
    /// Averages and maxima over the history; disk totals are the last sample minus the first. Memory figures are
    /// whole bytes, as the original's unsigned fields are.
    /// </summary>
    public AggregatedMetrics Aggregate()
    {
        if (_samples.Count == 0)
        {
            return new AggregatedMetrics();
        }

        var first = _samples.Peek();
        var last = _samples.Last();
        return new AggregatedMetrics
        {
            AvgCpuUsage = _samples.Average(s => s.CpuPercent),
            MaxCpuUsage = _samples.Max(s => s.CpuPercent),
            AvgMemoryUsage = Math.Round(_samples.Average(s => (double)s.MemoryBytes)),
            MaxMemoryUsage = _samples.Max(s => s.MemoryBytes),
            TotalDiskRead = last.DiskReadBytes >= first.DiskReadBytes ? last.DiskReadBytes - first.DiskReadBytes : 0,
            TotalDiskWrite = last.DiskWriteBytes >= first.DiskWriteBytes ? last.DiskWriteBytes - first.DiskWriteBytes : 0,
            SampleCount = (ulong)_samples.Count,
        };
    }
}
