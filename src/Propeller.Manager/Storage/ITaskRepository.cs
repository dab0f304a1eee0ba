using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Storage;

internal interface ITaskRepository
{
    /// <summary>Throws <see cref="EntityConflictException"/> when the id exists.</summary>
    Task CreateAsync(PropellerTask task, CancellationToken cancellationToken);

    Task<PropellerTask?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Full replace. Throws <see cref="EntityNotFoundException"/> when the id is unknown.</summary>
    Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken);

    /// <summary>
    /// A page ordered by <c>created_at</c> descending, then id. Every metadata key of the filter must match
    /// (values compared as JSON values; strings and numbers by their text).
    /// </summary>
    Task<Page<PropellerTask>> ListAsync(TaskFilter filter, ulong offset, ulong limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<PropellerTask>> ListByStateAsync(IReadOnlyCollection<TaskState> states, CancellationToken cancellationToken);

    Task<IReadOnlyList<PropellerTask>> ListByWorkflowAsync(string workflowId, CancellationToken cancellationToken);

    Task<IReadOnlyList<PropellerTask>> ListByJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Deletes the task with its mapping and metrics; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
