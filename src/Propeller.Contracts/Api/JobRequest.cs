namespace Propeller.Contracts.Api;

/// <summary>
/// <c>POST /jobs</c>: a name, the tasks (client ids may be referenced by <c>depends_on</c>) and the execution
/// mode <c>parallel</c>, <c>sequential</c> or <c>configurable</c> (empty: <c>JOB_EXECUTION_MODE</c> at start).
/// </summary>
public sealed record JobRequest
{
    public string? Name { get; set; }

    public List<TaskDto>? Tasks { get; set; }

    public string? ExecutionMode { get; set; }
}
