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

    public static void ValidateForCreate(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Check(!string.IsNullOrWhiteSpace(task.Name), "name is required");
        Check(task.RunIf is null or "" or "success" or "failure", "run_if must be 'success' or 'failure'");
        Check(string.IsNullOrEmpty(task.Schedule) || TaskSchedule.IsValid(task.Schedule), $"invalid cron expression '{task.Schedule}'");
        ValidatePriority(task.Priority);
        Check(!(task.Broadcast && !string.IsNullOrEmpty(task.PropletId)), "broadcast and proplet_id cannot both be set");
        Check(task.Metadata is null || MetadataSize(task.Metadata) <= MaxMetadataBytes, $"metadata must be at most {MaxMetadataBytes} bytes of JSON");
        Check(Enum.IsDefined(task.State), $"state must be between {(int)TaskState.Pending} and {(int)TaskState.Interrupted}");
    }

    public static void ValidatePriority(int priority) =>
        Check(priority is >= 0 and <= MaxPriority, $"priority must be between 0 and {MaxPriority}");

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
