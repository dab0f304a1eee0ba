using Propeller.Manager.Errors;
using Propeller.Manager.Plugins;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>
/// Turns the tasks of a <c>POST /workflows</c> or <c>POST /jobs</c> body into stored tasks (manager-reference
/// §5.2, §5.4). Client ids are what <c>depends_on</c> refers to. An id that is a UUID is kept; any other id
/// (<c>"fetch"</c>, <c>"task1"</c>) is a label for this request only: the task is stored under a fresh UUID and
/// every <c>depends_on</c> naming it is rewritten, so every stored task can be read through
/// <c>GET /tasks/{id}</c>, which only takes UUIDs. Responses list the tasks in the order they were sent.
/// </summary>
internal static class TaskGraph
{
    /// <summary>Text put in front of dependency-existence errors of jobs.</summary>
    public const string DependencyPrefix = "dependency validation failed: ";

    /// <summary>Text put in front of cycle errors of jobs.</summary>
    public const string DagPrefix = "DAG validation failed: ";

    /// <summary>
    /// Validates the tasks (400 for a bad field, 422 for a missing dependency or a cycle) and returns them with
    /// their final ids, <c>depends_on</c>, defaults and times. Creation times step by one microsecond (the finest time PostgreSQL keeps) in list order, so
    /// the stored tasks sort back into the order they were sent.
    /// </summary>
    public static IReadOnlyList<PropellerTask> Prepare(
        IReadOnlyList<PropellerTask> tasks,
        DateTimeOffset now,
        string? dependencyPrefix = null,
        string? dagPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var labelled = new List<PropellerTask>(tasks.Count);
        foreach (var task in tasks)
        {
            ValidateTask(task);
            if (!string.IsNullOrEmpty(task.Id) && !seen.Add(task.Id))
            {
                throw new InvalidRequestException($"duplicate task id '{task.Id}'");
            }

            labelled.Add(string.IsNullOrEmpty(task.Id) ? task with { Id = Guid.NewGuid().ToString() } : task);
        }

        try
        {
            Dag.ValidateDependencies(labelled);
        }
        catch (DagValidationException ex) when (dependencyPrefix is not null)
        {
            throw ex.WithPrefix(dependencyPrefix);
        }

        try
        {
            Dag.ValidateAcyclic(labelled);
        }
        catch (DagValidationException ex) when (dagPrefix is not null)
        {
            throw ex.WithPrefix(dagPrefix);
        }

        var ids = labelled.ToDictionary(t => t.Id, t => Guid.TryParse(t.Id, out _) ? t.Id : Guid.NewGuid().ToString(), StringComparer.Ordinal);
        return labelled.Select((task, index) => task with
        {
            Id = ids[task.Id],
            DependsOn = task.DependsOn is { Count: > 0 } parents ? [.. parents.Select(p => ids[p])] : null,
            Kind = string.IsNullOrEmpty(task.Kind) ? TaskService.DefaultKind : task.Kind,
            Priority = task.Priority == 0 ? TaskService.DefaultPriority : task.Priority,
            CreatedAt = now.AddTicks(index * TimeSpan.TicksPerMicrosecond),
            UpdatedAt = now.AddTicks(index * TimeSpan.TicksPerMicrosecond),
        }).ToList();
    }

    /// <summary>
    /// Runs the plugins' <c>create</c> authorization on every task before any is stored (a denial leaves nothing
    /// behind), then their enrichment, as <c>POST /tasks</c> does for a single task.
    /// </summary>
    public static async Task<IReadOnlyList<PropellerTask>> ApplyPluginsAsync(IPluginPolicy plugins, IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            await plugins.AuthorizeAsync(PluginActions.Create, task, cancellationToken).ConfigureAwait(false);
        }

        var enriched = new List<PropellerTask>(tasks.Count);
        foreach (var task in tasks)
        {
            enriched.Add(await plugins.EnrichAsync(task, cancellationToken).ConfigureAwait(false));
        }

        return enriched;
    }

    /// <summary>Stores the tasks one by one; when one fails, the ones already stored are deleted again.</summary>
    public static async Task CreateAllAsync(IPropellerStore store, IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tasks);
        var created = new List<string>(tasks.Count);
        try
        {
            foreach (var task in tasks)
            {
                await store.Tasks.CreateAsync(task, cancellationToken).ConfigureAwait(false);
                created.Add(task.Id);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await DeleteAllAsync(store, created).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes tasks without giving up on the first failure (a rollback should undo as much as it can).</summary>
    public static async Task DeleteAllAsync(IPropellerStore store, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            try
            {
                await store.Tasks.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort: the create already failed and that error is the one the caller sees.
            }
        }
    }

    /// <summary>The checks of <c>POST /tasks</c> (run_if included), naming the task; a schedule is refused because cron would run one task of the graph alone.</summary>
    private static void ValidateTask(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var label = string.IsNullOrEmpty(task.Id) ? $"'{task.Name}'" : task.Id;
        try
        {
            TaskValidator.ValidateForCreate(task);
        }
        catch (InvalidRequestException ex)
        {
            throw new InvalidRequestException($"task {label}: {ex.Message}", ex);
        }

        if (!string.IsNullOrEmpty(task.Schedule))
        {
            throw new InvalidRequestException($"task {label}: schedule is not supported in a workflow or job; schedule tasks created with POST /tasks");
        }
    }
}
