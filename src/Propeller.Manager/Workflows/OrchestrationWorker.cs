using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Jobs;

namespace Propeller.Manager.Workflows;

/// <summary>
/// Reads <see cref="TaskSignals"/> and moves the task's job and workflow on, one signal at a time, in arrival
/// order. A failure is logged and the next signal is handled; the host keeps running.
/// </summary>
internal sealed partial class OrchestrationWorker(
    TaskSignals signals,
    WorkflowCoordinator workflows,
    JobRunner jobs,
    ILogger<OrchestrationWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var signal in signals.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                await HandleAsync(signal, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The manager is stopping; passes left in the queue would only be refused by the shutdown gate.
        }
    }

    /// <summary>The job first: a failed job task stops its siblings before the workflow could start more.</summary>
    internal async Task HandleAsync(TaskSignal signal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signal);
        try
        {
            if (signal.JobId is { } jobId)
            {
                await jobs.AdvanceAsync(jobId, signal.TaskId, cancellationToken).ConfigureAwait(false);
            }

            if (signal.WorkflowId is { } workflowId)
            {
                await workflows.AdvanceAsync(workflowId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            Log.SignalFailed(logger, signal.Kind, signal.TaskId, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.EventIds.OrchestrationSignalFailed, EventName = nameof(Diagnostics.EventIds.OrchestrationSignalFailed),
            Level = LogLevel.Error, Message = "Moving on the workflow or job of task {TaskId} after {Signal} failed")]
        public static partial void SignalFailed(ILogger logger, TaskSignalKind signal, string taskId, Exception exception);
    }
}
