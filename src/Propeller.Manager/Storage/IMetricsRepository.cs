using Propeller.Contracts.Messages;

namespace Propeller.Manager.Storage;

/// <summary>Samples reported by proplets; listed newest first.</summary>
internal interface IMetricsRepository
{
    /// <summary>Throws <see cref="EntityNotFoundException"/> when the task is unknown.</summary>
    Task AddTaskMetricsAsync(TaskMetricsMessage metrics, CancellationToken cancellationToken);

    Task<Page<TaskMetricsMessage>> ListTaskMetricsAsync(string taskId, ulong offset, ulong limit, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="EntityNotFoundException"/> when the proplet is unknown.</summary>
    Task AddPropletMetricsAsync(PropletMetricsMessage metrics, CancellationToken cancellationToken);

    Task<Page<PropletMetricsMessage>> ListPropletMetricsAsync(string propletId, ulong offset, ulong limit, CancellationToken cancellationToken);
}
