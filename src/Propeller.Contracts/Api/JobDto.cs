using System.Text.Json.Serialization;
using Propeller.Contracts.Messages;

namespace Propeller.Contracts.Api;

/// <summary>
/// A job as <c>POST /jobs</c>, <c>GET /jobs</c> and <c>GET /jobs/{id}</c> show it (the original's JobSummary):
/// its state is derived from the tasks; times are the earliest task start, the latest task finish and the
/// earliest task creation. <c>name</c> and <c>execution_mode</c> come from the stored job record, when there is one.
/// </summary>
public sealed record JobDto
{
    public string JobId { get; set; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExecutionMode { get; set; }

    public TaskState State { get; set; }

    public List<TaskDto> Tasks { get; set; } = [];

    public DateTimeOffset StartTime { get; set; }

    public DateTimeOffset FinishTime { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary><c>GET /jobs</c>.</summary>
public sealed record JobPage(ulong Offset, ulong Limit, ulong Total, IReadOnlyList<JobDto> Jobs);

/// <summary><c>POST /jobs/{id}/start</c> and <c>/stop</c>: <c>{"message":"job started","job_id":..}</c>.</summary>
public sealed record JobActionResponse(string Message, string JobId);
