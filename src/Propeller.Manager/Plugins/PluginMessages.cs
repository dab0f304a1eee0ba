namespace Propeller.Manager.Plugins;

// The JSON documents of the plugin ABI (manager-reference §9), snake_case, empty fields left out. They are the
// contract with plugins built for the original, so names and shapes follow it exactly.

/// <summary>Who asks and for what; the user is <c>"system"</c> for the manager's own starts.</summary>
internal sealed record PluginContext(string? UserId, string? Action);

/// <summary>The task as plugins see it: no binary, results or schedule.</summary>
internal sealed record TaskInfo
{
    public static TaskInfo From(Tasks.PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TaskInfo
        {
            Id = task.Id,
            Name = task.Name,
            Kind = Empty(task.Kind),
            ImageUrl = Empty(task.ImageUrl),
            Inputs = task.Inputs is { Count: > 0 } ? task.Inputs : null,
            CliArgs = task.CliArgs is { Count: > 0 } ? task.CliArgs : null,
            Env = task.Env is { Count: > 0 } ? task.Env : null,
            PropletId = Empty(task.PropletId),
            Priority = task.Priority == 0 ? null : task.Priority,
            Daemon = task.Daemon ? true : null,
            Encrypted = task.Encrypted ? true : null,
            CreatedAt = task.CreatedAt == DateTimeOffset.MinValue ? null : task.CreatedAt,
        };
    }

    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Kind { get; init; }

    public string? ImageUrl { get; init; }

    public IReadOnlyList<string>? Inputs { get; init; }

    public IReadOnlyList<string>? CliArgs { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public string? PropletId { get; init; }

    public int? Priority { get; init; }

    public bool? Daemon { get; init; }

    public bool? Encrypted { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The chosen proplet as <c>on_before_dispatch</c> sees it.</summary>
internal sealed record PropletInfo(string Id, string Name, IReadOnlyList<string>? Tags, ulong? TotalMemoryBytes, string? Location);

/// <summary>The request of <c>authorize</c>, <c>enrich_task</c> and <c>on_before_proplet_select</c>.</summary>
internal sealed record TaskRequest(PluginContext Context, TaskInfo Task);

internal sealed record DispatchRequest(PluginContext Context, TaskInfo Task, PropletInfo Proplet);

internal sealed record TaskStartEvent(TaskInfo Task);

internal sealed record TaskCompleteEvent(TaskInfo Task, bool Success, string? Error);

internal sealed record AuthorizeResponse(bool Allow, string? Reason);

internal sealed record EnrichResponse(IReadOnlyDictionary<string, string>? Env, int? Priority, IReadOnlyList<string>? Inputs, string? ImageUrl);

internal sealed record SelectResponse(bool Allow, string? Reason, IReadOnlyList<string>? RequiredTags, ulong? MinMemoryBytes);

internal sealed record DispatchResponse(bool Allow, string? Reason, IReadOnlyDictionary<string, string>? ExtraEnv);
