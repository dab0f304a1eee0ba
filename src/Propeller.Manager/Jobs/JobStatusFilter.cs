using Propeller.Contracts.Messages;
using Propeller.Manager.Errors;

namespace Propeller.Manager.Jobs;

/// <summary>The <c>status</c> query of <c>GET /jobs</c>: pending, running, completed or failed.</summary>
internal static class JobStatusFilter
{
    /// <summary>The job state the status selects; null for no filter. An unknown value is a 400.</summary>
    public static TaskState? Parse(string? status) => status switch
    {
        null or "" => null,
        "pending" => TaskState.Pending,
        "running" => TaskState.Running,
        "completed" => TaskState.Completed,
        "failed" => TaskState.Failed,
        _ => throw new InvalidRequestException($"invalid value: invalid job status '{status}' (allowed: pending, running, completed, failed)"),
    };
}
