using Propeller.Manager.Jobs;

namespace Propeller.Manager.Storage.Memory;

internal sealed class MemoryJobRepository(MemoryState state) : IJobRepository
{
    public Task CreateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            if (!state.Jobs.TryAdd(job.Id, job))
            {
                throw new EntityConflictException($"job '{job.Id}' already exists");
            }
        }

        return Task.CompletedTask;
    }

    public Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.Jobs.GetValueOrDefault(id));
        }
    }

    public Task UpdateAsync(JobRecord job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            if (!state.Jobs.ContainsKey(job.Id))
            {
                throw new EntityNotFoundException($"job '{job.Id}' not found");
            }

            state.Jobs[job.Id] = job;
        }

        return Task.CompletedTask;
    }

    public Task<Page<JobRecord>> ListAsync(ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(MemoryPaging.Page(Ordered(), offset, limit));
    }

    public Task<IReadOnlyList<JobRecord>> ListAllAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<JobRecord>>(Ordered());
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.Jobs.Remove(id));
        }
    }

    // The SQL order: created_at descending, then id (ordinal).
    private List<JobRecord> Ordered()
    {
        lock (state.Gate)
        {
            return state.Jobs.Values.OrderByDescending(j => j.CreatedAt.UtcTicks).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();
        }
    }
}
