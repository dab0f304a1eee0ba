using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Manager.Errors;
using Propeller.Manager.Plugins;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Tasks;

/// <summary>Creating, reading, changing and deleting tasks (manager-reference §1.3, §2.5, §2.6).</summary>
internal sealed partial class TaskService(IPropellerStore store, TaskLocks locks, TimeProvider timeProvider, IPluginPolicy plugins, ILogger<TaskService> logger)
{
    public const ulong MaxListLimit = 100;
    public const string DefaultKind = "standard";
    public const int DefaultPriority = 50;

    private static ReadOnlySpan<byte> WasmMagic => "\0asm"u8;

    /// <summary>
    /// Stores a new task under a fresh id. Every other client-supplied field is kept as given (the original's tests
    /// create tasks directly in Running or Interrupted); kind and priority get their defaults.
    /// </summary>
    public async Task<PropellerTask> CreateAsync(PropellerTask request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TaskValidator.ValidateForCreate(request);
        if (request.DependsOn is { Count: > 0 } dependencies)
        {
            await CheckDependenciesExistAsync(request, dependencies, cancellationToken).ConfigureAwait(false);
        }

        var now = timeProvider.GetUtcNow();
        var task = request with
        {
            Id = Guid.NewGuid().ToString(),
            Kind = string.IsNullOrEmpty(request.Kind) ? DefaultKind : request.Kind,
            Priority = request.Priority == 0 ? DefaultPriority : request.Priority,
            Attempt = 0,
            NextRun = string.IsNullOrEmpty(request.Schedule) ? request.NextRun : TaskSchedule.NextRun(request.Schedule, request.Timezone, now),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await plugins.AuthorizeAsync(PluginActions.Create, task, cancellationToken).ConfigureAwait(false);
        task = await plugins.EnrichAsync(task, cancellationToken).ConfigureAwait(false);
        task = task.Priority == 0 ? task with { Priority = DefaultPriority } : task;
        await store.Tasks.CreateAsync(task, cancellationToken).ConfigureAwait(false);
        Log.TaskCreated(logger, task.Id, task.Name);
        return task;
    }

    public async Task<PropellerTask> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);

    /// <summary>A page of tasks, newest first; <paramref name="limit"/> must be 1-100.</summary>
    public Task<Page<PropellerTask>> ListAsync(TaskFilter filter, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        if (limit is 0 or > MaxListLimit)
        {
            throw new InvalidRequestException($"invalid limit size: {limit} (must be 1-{MaxListLimit})");
        }

        return store.Tasks.ListAsync(filter, offset, limit, cancellationToken);
    }

    /// <summary>Applies the fields <c>PUT /tasks/{id}</c> may change; the state cannot change here.</summary>
    public async Task<PropellerTask> UpdateAsync(string id, TaskUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Priority != 0)
        {
            TaskValidator.ValidatePriority(update.Priority);
        }

        if (!string.IsNullOrEmpty(update.Schedule) && !TaskSchedule.IsValid(update.Schedule))
        {
            throw new InvalidRequestException($"invalid cron expression '{update.Schedule}'");
        }

        if (!string.IsNullOrEmpty(update.Schedule))
        {
            TaskValidator.ValidateTimeZone(update.Timezone);
        }

        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        task = task with
        {
            Name = string.IsNullOrEmpty(update.Name) ? task.Name : update.Name,
            Inputs = update.Inputs ?? task.Inputs,
            File = update.File ?? task.File,
            Priority = update.Priority == 0 ? task.Priority : update.Priority,
            Metadata = update.Metadata ?? task.Metadata,
            UpdatedAt = now,
        };
        task = update.Schedule switch
        {
            null => task,
            "" => task with { Schedule = null, NextRun = DateTimeOffset.MinValue, IsRecurring = false },

            // The original replaces the schedule fields only for a different expression, so a PUT that repeats
            // the schedule without is_recurring does not turn a recurring task into a one-shot.
            var same when string.Equals(same, task.Schedule, StringComparison.Ordinal) => task,
            var schedule => task with
            {
                Schedule = schedule,
                IsRecurring = update.IsRecurring,
                Timezone = string.IsNullOrEmpty(update.Timezone) ? TaskSchedule.DefaultTimeZone : update.Timezone,
                NextRun = TaskSchedule.NextRun(schedule, update.Timezone, now),
            },
        };
        await plugins.AuthorizeAsync(PluginActions.Update, task, cancellationToken).ConfigureAwait(false);
        await store.Tasks.UpdateAsync(task, cancellationToken).ConfigureAwait(false);
        Log.TaskUpdated(logger, task.Id);
        return task;
    }

    /// <summary>Replaces the task's Wasm binary with an uploaded <c>.wasm</c> file.</summary>
    public async Task<PropellerTask> UploadFileAsync(string id, string fileName, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!fileName.EndsWith(".wasm", StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"file '{fileName}' must have the .wasm extension");
        }

        if (!content.AsSpan().StartsWith(WasmMagic))
        {
            throw new InvalidRequestException($"file '{fileName}' is not a WebAssembly binary (it must start with \\0asm)");
        }

        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await plugins.AuthorizeAsync(PluginActions.Update, task, cancellationToken).ConfigureAwait(false);
        task = task with { File = content, UpdatedAt = timeProvider.GetUtcNow() };
        await store.Tasks.UpdateAsync(task, cancellationToken).ConfigureAwait(false);
        Log.TaskFileUploaded(logger, task.Id, content.Length);
        return task;
    }

    /// <summary>
    /// Deletes the task record; a running task is not stopped (manager-reference §2.6). Its proplet slot is released,
    /// because no result can be matched to the task any more.
    /// </summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var task = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await plugins.AuthorizeAsync(PluginActions.Delete, task, cancellationToken).ConfigureAwait(false);
        var propletId = await store.TaskProplets.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (!await store.Tasks.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(id);
        }

        if (propletId is not null && !task.Broadcast && TaskDispatcher.HoldsPropletSlot(task.State))
        {
            try
            {
                await store.Proplets.AdjustTaskCountAsync(propletId, -1, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EntityNotFoundException)
            {
                // The proplet is gone too.
            }
        }

        Log.TaskDeleted(logger, id);
    }

    public Task<Page<TaskMetricsMessage>> ListMetricsAsync(string taskId, ulong offset, ulong limit, CancellationToken cancellationToken) =>
        store.Metrics.ListTaskMetricsAsync(taskId, offset, limit, cancellationToken);

    private async Task CheckDependenciesExistAsync(PropellerTask request, IReadOnlyList<string> dependencies, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.WorkflowId))
        {
            throw new InvalidRequestException("workflow_id is required when depends_on is specified");
        }

        // The new task gets a fresh id, so it cannot close a cycle; only existence needs checking.
        var siblings = await store.Tasks.ListByWorkflowAsync(request.WorkflowId, cancellationToken).ConfigureAwait(false);
        var known = siblings.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var missing = dependencies.FirstOrDefault(d => !known.Contains(d));
        if (missing is not null)
        {
            throw new UnprocessableRequestException(
                $"dependency task not found: task {request.Name} depends on {missing} which does not exist in workflow {request.WorkflowId}");
        }
    }

    private static EntityNotFoundException NotFound(string id) => new($"task {id} not found");
}
