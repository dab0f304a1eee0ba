using Propeller.Manager.Jobs;

namespace Propeller.Manager.Storage;

/// <summary>Jobs. Their tasks are found with <see cref="ITaskRepository.ListByJobAsync"/>.</summary>
internal interface IJobRepository
{
    /// <summary>Throws <see cref="EntityConflictException"/> when the id exists.</summary>
    Task CreateAsync(JobRecord job, CancellationToken cancellationToken);

    Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Full replace. Throws <see cref="EntityNotFoundException"/> when the id is unknown.</summary>
    Task UpdateAsync(JobRecord job, CancellationToken cancellationToken);

    /// <summary>A page ordered by <c>created_at</c> descending, then id.</summary>
    Task<Page<JobRecord>> ListAsync(ulong offset, ulong limit, CancellationToken cancellationToken);

    /// <summary>Every job, in the order of <see cref="ListAsync"/>.</summary>
    Task<IReadOnlyList<JobRecord>> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the job record only (its tasks stay); false when it did not exist.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
