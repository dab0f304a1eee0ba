using Propeller.Contracts.Api;
using Propeller.Manager.Errors;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Api;

/// <summary>Converts between the REST shapes and the stored records.</summary>
internal static class ApiMapping
{
    public static PropellerTask ToTask(TaskDto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return new PropellerTask
        {
            Id = dto.Id ?? "",
            Name = dto.Name ?? "",
            Kind = dto.Kind,
            State = dto.State,
            ImageUrl = dto.ImageUrl,
            File = DecodeFile(dto.File),
            CliArgs = dto.CliArgs,
            Inputs = dto.Inputs,
            Env = dto.Env,
            Daemon = dto.Daemon,
            Latent = dto.Latent,
            Encrypted = dto.Encrypted,
            KbsResourcePath = dto.KbsResourcePath,
            PropletId = dto.PropletId,
            DependsOn = dto.DependsOn,
            RunIf = dto.RunIf,
            WorkflowId = dto.WorkflowId,
            JobId = dto.JobId,
            Results = dto.Results,
            Error = dto.Error,
            MonitoringProfile = dto.MonitoringProfile,
            StartTime = dto.StartTime,
            FinishTime = dto.FinishTime,
            CreatedAt = dto.CreatedAt,
            UpdatedAt = dto.UpdatedAt,
            Mode = dto.Mode,
            Schedule = dto.Schedule,
            NextRun = dto.NextRun,
            IsRecurring = dto.IsRecurring,
            Timezone = dto.Timezone,
            Broadcast = dto.Broadcast,
            Priority = dto.Priority,
            Metadata = dto.Metadata,
            HalStoragePath = dto.HalStoragePath,
            Requirements = dto.Requirements,
            Retry = dto.Retry,
        };
    }

    public static TaskUpdate ToUpdate(TaskDto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return new TaskUpdate
        {
            Name = dto.Name,
            Inputs = dto.Inputs,
            File = DecodeFile(dto.File),
            Priority = dto.Priority,
            Metadata = dto.Metadata,
            Schedule = dto.Schedule,
            IsRecurring = dto.IsRecurring,
            Timezone = dto.Timezone,
        };
    }

    /// <summary>The task as the API shows it, with the binary redacted.</summary>
    public static TaskDto ToDto(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TaskDto
        {
            Id = task.Id,
            Name = task.Name,
            Kind = NullIfEmpty(task.Kind),
            State = task.State,
            ImageUrl = NullIfEmpty(task.ImageUrl),
            File = FileRedaction.Redact(task.File),
            CliArgs = task.CliArgs is null ? null : [.. task.CliArgs],
            Inputs = task.Inputs is { Count: > 0 } inputs ? [.. inputs] : null,
            Env = task.Env is { Count: > 0 } env ? env.ToDictionary(StringComparer.Ordinal) : null,
            Daemon = task.Daemon,
            Latent = task.Latent,
            Encrypted = task.Encrypted,
            KbsResourcePath = NullIfEmpty(task.KbsResourcePath),
            PropletId = NullIfEmpty(task.PropletId),
            DependsOn = task.DependsOn is { Count: > 0 } dependsOn ? [.. dependsOn] : null,
            RunIf = NullIfEmpty(task.RunIf),
            WorkflowId = NullIfEmpty(task.WorkflowId),
            JobId = NullIfEmpty(task.JobId),
            Results = task.Results,
            Error = NullIfEmpty(task.Error),
            MonitoringProfile = task.MonitoringProfile,
            StartTime = task.StartTime,
            FinishTime = task.FinishTime,
            CreatedAt = task.CreatedAt,
            UpdatedAt = task.UpdatedAt,
            Mode = NullIfEmpty(task.Mode),
            Schedule = NullIfEmpty(task.Schedule),
            NextRun = task.NextRun,
            IsRecurring = task.IsRecurring,
            Timezone = NullIfEmpty(task.Timezone),
            Broadcast = task.Broadcast,
            Priority = task.Priority,
            Metadata = task.Metadata is { Count: > 0 } metadata ? metadata.ToDictionary(StringComparer.Ordinal) : null,
            HalStoragePath = NullIfEmpty(task.HalStoragePath),
            Requirements = task.Requirements,
            Retry = task.Retry,
            Attempt = task.Attempt,
        };
    }

    public static PropletView ToView(Proplet proplet, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        return new PropletView
        {
            Id = proplet.Id,
            Name = proplet.Name,
            TaskCount = proplet.TaskCount,
            Alive = proplet.IsAlive(now),
            LastAliveAt = proplet.LastAliveAt,
            Metadata = proplet.Metadata,
        };
    }

    private static byte[]? DecodeFile(string? base64)
    {
        if (base64 is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw new InvalidRequestException("file: not valid base64", ex);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
