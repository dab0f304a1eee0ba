using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Plugins;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Manager.Workflows;

namespace Propeller.Manager.Jobs;

/// <summary>Creating, listing, reading, starting and stopping jobs (manager-reference §5.4).</summary>
internal sealed partial class JobService(
    IPropellerStore store,
    TaskDispatcher dispatcher,
    JobRunner runner,
    ShutdownGate shutdownGate,
    IPluginPolicy plugins,
    TimeProvider timeProvider,
    ILogger<JobService> logger)
{
    private const ulong TaskPageSize = 500;

    /// <summary>
    /// Validates the tasks (dependency and DAG errors carry the original's prefixes) and stores the job record,
    /// then the tasks; if a task cannot be stored, everything stored is removed again. The job id is the first
    /// <c>job_id</c> a task carries, else a new UUID. An execution mode, when given, must be a known one.
    /// </summary>
    public async Task<JobSummary> CreateAsync(string? name, string? executionMode, IReadOnlyList<PropellerTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new InvalidRequestException("job must contain at least one task");
        }

        var mode = ExecutionModes.Normalize(executionMode);
        var jobId = tasks.Select(t => t.JobId).FirstOrDefault(j => !string.IsNullOrEmpty(j)) ?? Guid.NewGuid().ToString();
        var now = timeProvider.GetUtcNow();
        var prepared = TaskGraph.Prepare([.. tasks.Select(t => t with { JobId = jobId })], now, TaskGraph.DependencyPrefix, TaskGraph.DagPrefix);
        if (await store.Jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is not null
            || (await store.Tasks.ListByJobAsync(jobId, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new EntityConflictException($"job {jobId} already exists");
        }

        prepared = await TaskGraph.ApplyPluginsAsync(plugins, prepared, cancellationToken).ConfigureAwait(false);
        var record = new JobRecord { Id = jobId, Name = name?.Trim() ?? "", ExecutionMode = mode, CreatedAt = now, UpdatedAt = now };
        await store.Jobs.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        try
        {
            await TaskGraph.CreateAllAsync(store, prepared, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await store.Jobs.DeleteAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Log.JobCreated(logger, jobId, prepared.Count, mode.Length == 0 ? "(default)" : mode);
        return JobSummary.Of(jobId, record, prepared);
    }

    /// <summary>The job; 404 only when there is neither a record nor a task with that <c>job_id</c> (DECISIONS §4 Manager 4).</summary>
    public async Task<JobSummary> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var record = await store.Jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        var tasks = await store.Tasks.ListByJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        return record is null && tasks.Count == 0
            ? throw new EntityNotFoundException($"job {jobId} not found")
            : JobSummary.Of(jobId, record, tasks);
    }

    /// <summary>
    /// Stored jobs and legacy ones (tasks with a <c>job_id</c> but no record), newest first (ties by id), filtered
    /// by derived state, then paged; <c>total</c> counts after the filter. Reads every task, as the original does.
    /// </summary>
    public async Task<Page<JobSummary>> ListAsync(TaskState? status, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        var records = await store.Jobs.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var byJob = (await AllJobTasksAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(t => t.JobId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<PropellerTask>)[.. g], StringComparer.Ordinal);
        var summaries = records.Select(r => JobSummary.Of(r.Id, r, byJob.GetValueOrDefault(r.Id) ?? []))
            .Concat(byJob.Where(g => records.All(r => !string.Equals(r.Id, g.Key, StringComparison.Ordinal))).Select(g => JobSummary.Of(g.Key, null, g.Value)))
            .Where(s => status is null || s.State == status)
            .OrderByDescending(s => s.CreatedAt)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var page = offset >= (ulong)summaries.Count ? [] : summaries.Skip((int)offset).Take((int)Math.Min(limit, int.MaxValue)).ToList();
        return new Page<JobSummary>(page, (ulong)summaries.Count);
    }

    /// <summary>
    /// Starts the job's waiting roots per its execution mode (the record's, else <c>JOB_EXECUTION_MODE</c>).
    /// parallel: all at once; sequential: the first only, the next ones as results arrive (<see cref="JobRunner"/>);
    /// configurable: in topological order. A failed start stops what the job has running and returns that error.
    /// </summary>
    public async Task<ExecutionMode> StartAsync(string jobId, CancellationToken cancellationToken)
    {
        shutdownGate.ThrowIfClosed();
        var tasks = await runner.TasksAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (tasks.Count == 0)
        {
            _ = await store.Jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) ?? throw new EntityNotFoundException($"job {jobId} not found");
            throw new UnprocessableRequestException($"job {jobId} has no tasks");
        }

        var text = await runner.ModeTextAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(text))
        {
            throw new UnprocessableRequestException($"job {jobId} has no execution_mode and JOB_EXECUTION_MODE is not set");
        }

        if (!ExecutionModes.TryParse(text, out var mode))
        {
            throw new UnprocessableRequestException($"invalid JOB_EXECUTION_MODE: \"{text}\" (allowed: {ExecutionModes.Allowed})");
        }

        IReadOnlyList<PropellerTask> order;
        try
        {
            order = Dag.TopologicalSort(tasks);
        }
        catch (DagValidationException ex)
        {
            throw ex.WithPrefix(TaskGraph.DagPrefix);
        }

        var roots = (mode == ExecutionMode.Configurable ? order : tasks)
            .Where(t => t.DependsOn is not { Count: > 0 } && t.State == TaskState.Pending)
            .ToList();
        if (roots.Count == 0)
        {
            throw new EntityConflictException($"job {jobId} has no root task waiting to start");
        }

        if (mode == ExecutionMode.Sequential && tasks.Any(t => t.DependsOn is not { Count: > 0 } && t.State is TaskState.Running or TaskState.Scheduled))
        {
            throw new EntityConflictException($"job {jobId} is already running: a root task has not finished");
        }

        try
        {
            switch (mode)
            {
                case ExecutionMode.Parallel:
                    await StartAllAsync(roots, cancellationToken).ConfigureAwait(false);
                    break;
                case ExecutionMode.Sequential:
                    await runner.StartNextRootAsync(jobId, tasks, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    foreach (var root in roots)
                    {
                        await dispatcher.StartAsync(root.Id, cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.JobStartFailed(logger, jobId, ex.Message);
            await runner.StopRunningAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Log.JobStarted(logger, jobId, text);
        return mode;
    }

    /// <summary>Stops every Running or Scheduled task of the job; always succeeds, even for an unknown job.</summary>
    public async Task StopAsync(string jobId, CancellationToken cancellationToken)
    {
        await runner.StopRunningAsync(jobId, cancellationToken).ConfigureAwait(false);
        Log.JobStopped(logger, jobId);
    }

    /// <summary>Starts every root concurrently and waits for all; the first error is thrown after all have tried.</summary>
    private async Task StartAllAsync(IReadOnlyList<PropellerTask> roots, CancellationToken cancellationToken)
    {
        var starts = roots.Select(r => dispatcher.StartAsync(r.Id, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch (Exception) when (starts.FirstOrDefault(s => s.IsFaulted)?.Exception?.InnerException is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    private async Task<List<PropellerTask>> AllJobTasksAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<PropellerTask>();
        for (ulong offset = 0; ; offset += TaskPageSize)
        {
            var page = await store.Tasks.ListAsync(TaskFilter.None, offset, TaskPageSize, cancellationToken).ConfigureAwait(false);
            tasks.AddRange(page.Items.Where(t => !string.IsNullOrEmpty(t.JobId)));
            if (page.Items.Count < (int)TaskPageSize || offset + TaskPageSize >= page.Total)
            {
                return tasks;
            }
        }
    }
}
