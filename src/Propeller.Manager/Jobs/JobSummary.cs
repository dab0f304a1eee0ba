using Propeller.Contracts.Messages;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Jobs;

/// <summary>
/// A job as the API shows it (manager-reference §5.4): the stored record's name and mode when there is a record
/// (a "legacy" job is only tasks sharing a <c>job_id</c>), the state derived from the tasks, the earliest task
/// start, the latest task finish and the earliest task creation (the record's when it has no tasks).
/// </summary>
internal sealed record JobSummary(
    string Id,
    string? Name,
    string? ExecutionMode,
    TaskState State,
    IReadOnlyList<PropellerTask> Tasks,
    DateTimeOffset StartTime,
    DateTimeOffset FinishTime,
    DateTimeOffset CreatedAt)
{
    public static JobSummary Of(string id, JobRecord? record, IReadOnlyList<PropellerTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var ordered = tasks.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        return new JobSummary(
            id,
            string.IsNullOrEmpty(record?.Name) ? null : record.Name,
            string.IsNullOrEmpty(record?.ExecutionMode) ? null : record.ExecutionMode,
            JobStateRules.Compute([.. ordered.Select(t => t.State)]),
            ordered,
            Earliest(ordered.Select(t => t.StartTime)),
            Latest(ordered.Select(t => t.FinishTime)),
            ordered.Count == 0 ? record?.CreatedAt ?? DateTimeOffset.MinValue : Earliest(ordered.Select(t => t.CreatedAt)));
    }

    private static DateTimeOffset Earliest(IEnumerable<DateTimeOffset> times) =>
        times.Where(t => t != DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Min();

    private static DateTimeOffset Latest(IEnumerable<DateTimeOffset> times) =>
        times.Where(t => t != DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
}
