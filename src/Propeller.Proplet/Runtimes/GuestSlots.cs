namespace Propeller.Proplet.Runtimes;

/// <summary>
/// How many guests may run at once in one engine. The pooling allocator has a fixed number of instance slots and
/// refuses an instantiation beyond them, so a run waits here for a free slot instead of failing.
/// </summary>
internal sealed class GuestSlots : IDisposable
{
    private readonly SemaphoreSlim _free;
    private int _waiting;

    public GuestSlots(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _free = new SemaphoreSlim(capacity, capacity);
    }

    public int Capacity { get; }

    /// <summary>Runs waiting for a slot.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a slot; the caller must <see cref="Release"/> it once its guest has ended.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        if (_free.Wait(0, CancellationToken.None))
        {
            return;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Release() => _free.Release();

    public void Dispose() => _free.Dispose();
}
