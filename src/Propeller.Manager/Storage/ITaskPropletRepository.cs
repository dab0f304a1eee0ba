namespace Propeller.Manager.Storage;

/// <summary>Which proplet a task was dispatched to. Kept after completion so re-runs and invokes work.</summary>
internal interface ITaskPropletRepository
{
    Task UpsertAsync(string taskId, string propletId, CancellationToken cancellationToken);

    Task<string?> GetAsync(string taskId, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string taskId, CancellationToken cancellationToken);
}
