using Propeller.Contracts.Messages;

namespace Propeller.Manager.Storage.Memory;

internal sealed class MemoryMetricsRepository(MemoryState state) : IMetricsRepository
{
    public Task AddTaskMetricsAsync(TaskMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            if (!state.Tasks.ContainsKey(metrics.TaskId))
            {
                throw new EntityNotFoundException($"task '{metrics.TaskId}' not found");
            }

            Samples(state.TaskMetrics, metrics.TaskId)[MetricsKey.For(metrics.TaskId, metrics.Timestamp)] = metrics;
        }

        return Task.CompletedTask;
    }

    public Task<Page<TaskMetricsMessage>> ListTaskMetricsAsync(string taskId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        List(state.TaskMetrics, taskId, m => m.Timestamp, offset, limit, cancellationToken);

    public Task AddPropletMetricsAsync(PropletMetricsMessage metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            if (!state.Proplets.ContainsKey(metrics.PropletId))
            {
                throw new EntityNotFoundException($"proplet '{metrics.PropletId}' not found");
            }

            Samples(state.PropletMetrics, metrics.PropletId)[MetricsKey.For(metrics.PropletId, metrics.Timestamp)] = metrics;
        }

        return Task.CompletedTask;
    }

    public Task<Page<PropletMetricsMessage>> ListPropletMetricsAsync(string propletId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        List(state.PropletMetrics, propletId, m => m.Timestamp, offset, limit, cancellationToken);

    private static Dictionary<string, T> Samples<T>(Dictionary<string, Dictionary<string, T>> byOwner, string ownerId)
    {
        if (!byOwner.TryGetValue(ownerId, out var samples))
        {
            samples = new Dictionary<string, T>(StringComparer.Ordinal);
            byOwner[ownerId] = samples;
        }

        return samples;
    }

    private Task<Page<T>> List<T>(
        Dictionary<string, Dictionary<string, T>> byOwner, string ownerId, Func<T, DateTimeOffset> timestamp, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<T> ordered;
        lock (state.Gate)
        {
            ordered = byOwner.TryGetValue(ownerId, out var samples)
                ? samples.OrderByDescending(s => timestamp(s.Value).UtcTicks).ThenBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value).ToList()
                : [];
        }

        return Task.FromResult(MemoryPaging.Page(ordered, offset, limit));
    }
}
