namespace Propeller.Manager.Storage.Memory;

internal sealed class MemoryTaskPropletRepository(MemoryState state) : ITaskPropletRepository
{
    public Task UpsertAsync(string taskId, string propletId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            // The SQL foreign keys refuse a mapping to something unknown; so does this.
            if (!state.Tasks.ContainsKey(taskId))
            {
                throw new EntityNotFoundException($"task '{taskId}' not found");
            }

            if (!state.Proplets.ContainsKey(propletId))
            {
                throw new EntityNotFoundException($"proplet '{propletId}' not found");
            }

            state.TaskProplets[taskId] = propletId;
        }

        return Task.CompletedTask;
    }

    public Task<string?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.TaskProplets.GetValueOrDefault(taskId));
        }
    }

    public Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.TaskProplets.Remove(taskId));
        }
    }
}
