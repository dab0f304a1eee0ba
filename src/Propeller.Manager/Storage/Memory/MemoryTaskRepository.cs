using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Storage.Memory;

internal sealed class MemoryTaskRepository(MemoryState state) : ITaskRepository
{
    public Task CreateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        cancellationToken.ThrowIfCancellationRequested();
        var copy = Snapshot(task);
        lock (state.Gate)
        {
            if (!state.Tasks.TryAdd(task.Id, copy))
            {
                throw new EntityConflictException($"task '{task.Id}' already exists");
            }
        }

        return Task.CompletedTask;
    }

    public Task<PropellerTask?> GetAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.Tasks.GetValueOrDefault(id));
        }
    }

    public Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        cancellationToken.ThrowIfCancellationRequested();
        var copy = Snapshot(task);
        lock (state.Gate)
        {
            if (!state.Tasks.ContainsKey(task.Id))
            {
                throw new EntityNotFoundException($"task '{task.Id}' not found");
            }

            state.Tasks[task.Id] = copy;
        }

        return Task.CompletedTask;
    }

    public Task<Page<PropellerTask>> ListAsync(TaskFilter filter, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellationToken.ThrowIfCancellationRequested();
        List<PropellerTask> matching;
        lock (state.Gate)
        {
            matching = Ordered(state.Tasks.Values.Where(t => MetadataMatcher.Matches(t.Metadata, filter.Metadata)));
        }

        return Task.FromResult(MemoryPaging.Page(matching, offset, limit));
    }

    public Task<IReadOnlyList<PropellerTask>> ListByStateAsync(IReadOnlyCollection<TaskState> states, CancellationToken cancellationToken) =>
        Where(t => states.Contains(t.State), cancellationToken);

    public Task<IReadOnlyList<PropellerTask>> ListByWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        Where(t => t.WorkflowId == workflowId, cancellationToken);

    public Task<IReadOnlyList<PropellerTask>> ListByJobAsync(string jobId, CancellationToken cancellationToken) =>
        Where(t => t.JobId == jobId, cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.RemoveTask(id));
        }
    }

    private Task<IReadOnlyList<PropellerTask>> Where(Func<PropellerTask, bool> predicate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult<IReadOnlyList<PropellerTask>>(Ordered(state.Tasks.Values.Where(predicate)));
        }
    }

    // The SQL order: created_at descending, then id (ordinal, as SQLite's binary collation).
    private static List<PropellerTask> Ordered(IEnumerable<PropellerTask> tasks) =>
        tasks.OrderByDescending(t => t.CreatedAt.UtcTicks).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();

    // The stored task must not change when the caller later mutates what it passed in (SQL copies too);
    // JsonElements are cloned because their document may be disposed.
    private static PropellerTask Snapshot(PropellerTask task) => task with
    {
        File = task.File?.ToArray(),
        CliArgs = task.CliArgs?.ToArray(),
        Inputs = task.Inputs?.ToArray(),
        DependsOn = task.DependsOn?.ToArray(),
        Env = task.Env is null ? null : new Dictionary<string, string>(task.Env, StringComparer.Ordinal),
        Results = task.Results?.Clone(),
        Metadata = task.Metadata?.ToDictionary(m => m.Key, m => m.Value.Clone(), StringComparer.Ordinal),
        Requirements = task.Requirements is null ? null : task.Requirements with { Tags = task.Requirements.Tags?.ToList() },
        Retry = task.Retry is null ? null : task.Retry with { },
    };
}
