namespace Propeller.Manager.Jobs;

/// <summary>
/// A job as the manager stores it: a named group of tasks (tasks point to it through <c>job_id</c>) and how they
/// run (<see cref="ExecutionMode"/>, e.g. parallel or sequential). Changes are made with <c>with</c> expressions.
/// </summary>
internal sealed record JobRecord
{
    public required string Id { get; init; }

    public string Name { get; init; } = "";

    public string ExecutionMode { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.MinValue;

    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.MinValue;
}
