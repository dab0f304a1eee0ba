using System.Text.Json;
using Propeller.Contracts.Messages;

namespace Propeller.Manager.Tasks;

/// <summary>
/// The start payload exactly as the Go manager sends it (manager-reference §2.7): no kind, mode, metadata,
/// priority or schedule fields; <c>cli_args</c> always present; empty values omitted.
/// </summary>
internal static class StartMessageFactory
{
    /// <param name="task">The task as it was before the start changed it.</param>
    /// <param name="propletId">The chosen proplet; null for a broadcast.</param>
    /// <param name="parentResults">Results of Completed parents; omitted when empty.</param>
    public static StartMessage Create(PropellerTask task, string? propletId, IReadOnlyDictionary<string, JsonElement>? parentResults)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new StartMessage
        {
            Id = task.Id,
            Name = task.Name,
            State = (int)task.State,
            ImageUrl = NullIfEmpty(task.ImageUrl),
            File = task.File is { Length: > 0 } file ? Convert.ToBase64String(file) : null,
            Inputs = task.Inputs is { Count: > 0 } inputs ? [.. inputs] : null,
            CliArgs = task.CliArgs is null ? null : [.. task.CliArgs],
            Broadcast = task.Broadcast,
            Daemon = task.Daemon,
            Latent = task.Latent,
            Encrypted = task.Encrypted,
            Env = task.Env is { Count: > 0 } env ? env.ToDictionary(StringComparer.Ordinal) : null,
            KbsResourcePath = NullIfEmpty(task.KbsResourcePath),
            MonitoringProfile = task.MonitoringProfile,
            HalStoragePath = NullIfEmpty(task.HalStoragePath),
            PropletId = task.Broadcast ? null : propletId,
            ParentResults = parentResults is { Count: > 0 } ? parentResults.ToDictionary(StringComparer.Ordinal) : null,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
