namespace Propeller.Proplet.Runtimes;

/// <summary>
/// Runs each guest on a dedicated thread, so a guest that never returns cannot starve the thread pool, and counts
/// the threads still inside a guest. Shared by the core-module and component runtimes.
/// </summary>
internal sealed class GuestThreads
{
    // Wasmtime's guest stack limit is 512 KiB; the rest is for host frames (WASI calls, the .NET wrapper).
    private const int ThreadStackBytes = 4 * 1024 * 1024;

    private readonly GuestSlots _slots;
    private int _active;

    public GuestThreads(GuestSlots slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        _slots = slots;
    }

    /// <summary>Threads still running a guest.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Waits for a free slot, then starts <paramref name="run"/> on its own thread. The task completes with its
    /// output, faults with a <see cref="WasmExecutionException"/>, or is cancelled when
    /// <paramref name="cancellationToken"/> stopped it (while it waited or while it ran).
    /// </summary>
    public async Task<string> Start(string threadName, Func<string> run, Action? started, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _slots.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Execute(run, started, completion, cancellationToken), ThreadStackBytes)
        {
            IsBackground = true,
            Name = threadName,
        };

        Interlocked.Increment(ref _active);
        try
        {
            thread.Start();
        }
        catch
        {
            Interlocked.Decrement(ref _active);
            _slots.Release();
            throw;
        }

        return await completion.Task.ConfigureAwait(false);
    }

    // Runs on the guest's own thread; nothing may escape it, or the process dies.
    private void Execute(Func<string> run, Action? started, TaskCompletionSource<string> completion, CancellationToken cancellationToken)
    {
        string? output = null;
        Exception? failure = null;
        try
        {
            started?.Invoke();
            output = run();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (WasmExecutionException e)
        {
            failure = e;
        }
        catch (Exception e)
        {
            failure = new WasmExecutionException($"Wasm execution failed: {e.Message}", e);
        }

        // The thread is done with the guest (its store is gone) before anyone awaiting the run sees its outcome.
        Interlocked.Decrement(ref _active);
        _slots.Release();
        if (output is not null)
        {
            completion.TrySetResult(output);
        }
        else if (failure is not null)
        {
            completion.TrySetException(failure);
        }
        else
        {
            completion.TrySetCanceled(cancellationToken);
        }
    }
}
