using System.Threading.Channels;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Workflows;

/// <summary>What happened to a task of a workflow or job that may move its graph on.</summary>
internal enum TaskSignalKind
{
    /// <summary>A result was stored: the task is Completed or Failed.</summary>
    Finished,

    /// <summary>A start was refused because a parent has not finished.</summary>
    Blocked,
}

internal sealed record TaskSignal(TaskSignalKind Kind, string TaskId, string? WorkflowId, string? JobId);

/// <summary>
/// The queue between task handling and graph advancement. Result handling and the start guard only enqueue,
/// and <see cref="OrchestrationWorker"/> runs the readiness passes one at a time. That keeps passes of one graph
/// from racing each other and keeps the dispatcher free of a reference back to the coordinator that calls it.
/// </summary>
internal sealed class TaskSignals
{
    private readonly Channel<TaskSignal> _channel = Channel.CreateUnbounded<TaskSignal>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<TaskSignal> Reader => _channel.Reader;

    /// <summary>Enqueues a signal for a task that belongs to a workflow or a job; other tasks are ignored.</summary>
    public void Publish(TaskSignalKind kind, PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!string.IsNullOrEmpty(task.WorkflowId) || !string.IsNullOrEmpty(task.JobId))
        {
            _channel.Writer.TryWrite(new TaskSignal(kind, task.Id, NullIfEmpty(task.WorkflowId), NullIfEmpty(task.JobId)));
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
