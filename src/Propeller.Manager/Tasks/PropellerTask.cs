using System.Text.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;

namespace Propeller.Manager.Tasks;

/// <summary>
/// A task as the manager stores it (manager-reference §2.1). Mirrors the REST shape, except that the Wasm
/// binary is kept as bytes. Changes are made with <c>with</c> expressions and saved through the repository.
/// </summary>
internal sealed record PropellerTask
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Kind { get; init; }

    public TaskState State { get; init; }

    public string? ImageUrl { get; init; }

    public byte[]? File { get; init; }

    public IReadOnlyList<string>? CliArgs { get; init; }

    public IReadOnlyList<string>? Inputs { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public bool Daemon { get; init; }

    public bool Latent { get; init; }

    public bool Encrypted { get; init; }

    public string? KbsResourcePath { get; init; }

    public string? PropletId { get; init; }

    public IReadOnlyList<string>? DependsOn { get; init; }

    public string? RunIf { get; init; }

    public string? WorkflowId { get; init; }

    public string? JobId { get; init; }

    public JsonElement? Results { get; init; }

    public string? Error { get; init; }

    public MonitoringProfile? MonitoringProfile { get; init; }

    public DateTimeOffset StartTime { get; init; } = DateTimeOffset.MinValue;

    public DateTimeOffset FinishTime { get; init; } = DateTimeOffset.MinValue;

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.MinValue;

    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.MinValue;

    public string? Mode { get; init; }

    public string? Schedule { get; init; }

    public DateTimeOffset NextRun { get; init; } = DateTimeOffset.MinValue;

    public bool IsRecurring { get; init; }

    public string? Timezone { get; init; }

    public bool Broadcast { get; init; }

    public int Priority { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Metadata { get; init; }

    public string? HalStoragePath { get; init; }

    /// <summary>Ours: where the task may run (<see cref="Scheduling.PlacementRules"/>).</summary>
    public TaskRequirements? Requirements { get; init; }

    /// <summary>Ours: re-placement when the proplet dies while the task runs (<see cref="Scheduling.PropletLossHandler"/>).</summary>
    public TaskRetryPolicy? Retry { get; init; }

    /// <summary>Ours: which run this is; 1 after a plain start, one more after each re-placement, 0 before any start.</summary>
    public int Attempt { get; init; }
}
