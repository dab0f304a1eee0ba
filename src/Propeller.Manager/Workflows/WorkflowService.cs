using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Jobs;
using Propeller.Manager.Plugins;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>Creating, reading and starting workflows (manager-reference §5.2, plus our start and read routes).</summary>
internal sealed partial class WorkflowService(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    ShutdownGate shutdownGate,
    IPluginPolicy plugins,
    TimeProvider timeProvider,
    ILogger<WorkflowService> logger)
{
    /// <summary>
    /// Validates and stores the tasks under one workflow id: the first <c>workflow_id</c> a task carries, else a
    /// new UUID. Nothing is started. When storing a task fails, the tasks stored before it are deleted.
    /// </summary>
    public async Task<Workflow> CreateAsync(IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new InvalidRequestException("workflow must contain at least one task");
        }

        var workflowId = tasks.Select(t => t.WorkflowId).FirstOrDefault(w => !string.IsNullOrEmpty(w)) ?? Guid.NewGuid().ToString();
        var prepared = TaskGraph.Prepare([.. tasks.Select(t => t with { WorkflowId = workflowId })], timeProvider.GetUtcNow());
        if ((await store.Tasks.ListByWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new EntityConflictException($"workflow {workflowId} already exists");
        }

        prepared = await TaskGraph.ApplyPluginsAsync(plugins, prepared, cancellationToken).ConfigureAwait(false);
        await TaskGraph.CreateAllAsync(store, prepared, cancellationToken).ConfigureAwait(false);
        Log.WorkflowCreated(logger, workflowId, prepared.Count);
        return new Workflow(workflowId, JobStateRules.Compute([.. prepared.Select(t => t.State)]), prepared);
    }

    /// <summary>The workflow's tasks, oldest first; 404 when no task carries the id.</summary>
    public async Task<Workflow> GetAsync(string workflowId, CancellationToken cancellationToken)
    {
        var tasks = await LoadAsync(workflowId, cancellationToken).ConfigureAwait(false);
        return new Workflow(workflowId, JobStateRules.Compute([.. tasks.Select(t => t.State)]), tasks);
    }

    /// <summary>
    /// Starts the root tasks (no <c>depends_on</c>) that are Pending (a Scheduled one waits for re-placement), in the order they were
    /// sent; the rest follows through readiness passes as results arrive. The first start that fails ends the call
    /// with its error (roots started before it keep running). 409 when no root is waiting, 503 while shutting down.
    /// </summary>
    public async Task<IReadOnlyList<string>> StartAsync(string workflowId, CancellationToken cancellationToken)
    {
        shutdownGate.ThrowIfClosed();
        var tasks = await LoadAsync(workflowId, cancellationToken).ConfigureAwait(false);
        var roots = tasks.Where(t => t.DependsOn is not { Count: > 0 } && t.State == TaskState.Pending).ToList();
        if (roots.Count == 0)
        {
            throw new EntityConflictException($"workflow {workflowId} has no root task waiting to start");
        }

        var started = new List<string>(roots.Count);
        foreach (var root in roots)
        {
            await dispatcher.StartAsync(root.Id, cancellationToken).ConfigureAwait(false);
            started.Add(root.Id);
        }

        Log.WorkflowStarted(logger, workflowId, started.Count);
        return started;
    }

    private async Task<IReadOnlyList<PropellerTask>> LoadAsync(string workflowId, CancellationToken cancellationToken)
    {
        var tasks = await store.Tasks.ListByWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
        return tasks.Count == 0
            ? throw new EntityNotFoundException($"workflow {workflowId} not found")
            : [.. tasks.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];
    }
}
