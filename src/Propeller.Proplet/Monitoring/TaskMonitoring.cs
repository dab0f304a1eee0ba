namespace Propeller.Proplet.Monitoring;

/// <summary>The sampling of one running task; disposing it stops the sampling and waits for the last sample.</summary>
internal sealed class TaskMonitoring : IAsyncDisposable
{
    private readonly TaskSampler _sampler;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    public TaskMonitoring(TaskSampler sampler, CancellationTokenSource stop, Task loop)
    {
        _sampler = sampler;
        _stop = stop;
        _loop = loop;
    }

    /// <summary>The guest's Linux thread id once <see cref="AttachCurrentThread"/> has run on it.</summary>
    public int? ThreadId => _sampler.ThreadId;

    /// <summary>
    /// Called by the runtime on the thread that is about to run the guest: CPU and disk I/O are measured on it from
    /// now on. Without this call (or off Linux) they are the whole proplet's.
    /// </summary>
    public void AttachCurrentThread()
    {
        if (OsThread.CurrentId() is { } id)
        {
            _sampler.AttachThread(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
