using System.Text.Json;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Manager.Errors;

namespace Propeller.Manager.Tasks;

/// <summary>The create-task checks of manager-reference §1.3, in the original's order; each failure is a 400.</summary>
internal static class TaskValidator
{
    public const int MaxPriority = 100;
    public const int MaxMetadataBytes = 1024 * 1024;
    public const int MaxRetryAttempts = 100;
    public const long MaxRetryBackoffMs = 300_000;

    public static void ValidateForCreate(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Check(!string.IsNullOrWhiteSpace(task.Name), "name is required");
        Check(task.RunIf is null or "" or "success" or "failure", "run_if must be 'success' or 'failure'");
        Check(string.IsNullOrEmpty(task.Schedule) || TaskSchedule.IsValid(task.Schedule), $"invalid cron expression '{task.Schedule}'");
        ValidateTimeZone(task.Timezone);
        ValidatePriority(task.Priority);
        Check(!(task.Broadcast && !string.IsNullOrEmpty(task.PropletId)), "broadcast and proplet_id cannot both be set");
        ValidatePlacement(task);
        Check(task.Metadata is null || MetadataSize(task.Metadata) <= MaxMetadataBytes, $"metadata must be at most {MaxMetadataBytes} bytes of JSON");
        Check(Enum.IsDefined(task.State), $"state must be between {(int)TaskState.Pending} and {(int)TaskState.Interrupted}");
    }

    public static void ValidatePriority(int priority) =>
        Check(priority is >= 0 and <= MaxPriority, $"priority must be between 0 and {MaxPriority}");

    /// <summary>
    /// An unknown zone is refused (the original silently used UTC, so a typo shifted every run).
    /// </summary>
    public static void ValidateTimeZone(string? timeZone) =>
        Check(TaskSchedule.IsKnownTimeZone(timeZone), $"invalid timezone '{timeZone}': not an IANA time zone name (e.g. Europe/Berlin)");

    /// <summary>Checks the additive <c>requirements</c> and <c>retry</c> fields.</summary>
    private static void ValidatePlacement(PropellerTask task)
    {
        if (task.Requirements is { } requirements)
        {
            Check(!task.Broadcast, "requirements cannot be used with broadcast (a broadcast goes to every proplet)");
            Check(requirements.Tags is null || requirements.Tags.All(t => !string.IsNullOrWhiteSpace(t)), "requirements.tags must not contain empty tags");
            Check(requirements.CpuArch is null || !string.IsNullOrWhiteSpace(requirements.CpuArch), "requirements.cpu_arch must not be empty");
            Check(requirements.WasmRuntime is null || !string.IsNullOrWhiteSpace(requirements.WasmRuntime), "requirements.wasm_runtime must not be empty");
        }

        if (task.Retry is { } retry)
        {
            Check(!task.Broadcast, "retry cannot be used with broadcast (a broadcast is not placed on one proplet)");
            Check(retry.MaxAttempts is >= 1 and <= MaxRetryAttempts, $"retry.max_attempts must be between 1 and {MaxRetryAttempts}");
            Check(retry.BackoffMs is >= 0 and <= MaxRetryBackoffMs, $"retry.backoff_ms must be between 0 and {MaxRetryBackoffMs}");
        }
    }

    private static int MetadataSize(IReadOnlyDictionary<string, JsonElement> metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(metadata.ToDictionary(), PropellerJsonContext.Default.DictionaryStringJsonElement).Length;

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidRequestException(message);
        }
    }
}
