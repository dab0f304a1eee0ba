namespace Propeller.Proplet.Tasks;

/// <summary>
/// One accepted start, from the duplicate check until its execution has ended. Its token is cancelled by a stop
/// (or shutdown) wherever the task is: fetching the binary, waiting, or running in the guest.
/// </summary>
internal sealed class TaskExecution : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskExecution(string taskId, bool daemon)
    {
        TaskId = taskId;
        Daemon = daemon;
    }

    public string TaskId { get; }

    public bool Daemon { get; }

    public CancellationToken StopToken => _stop.Token;

    /// <summary>Completes once the execution has ended and its result, if any, was published.</summary>
    public Task Finished => _finished.Task;

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished while being stopped.
        }
    }

    public void MarkFinished() => _finished.TrySetResult();

    public void Dispose() => _stop.Dispose();
}
