namespace Propeller.Manager.Tasks;

/// <summary>
/// Serialises read-modify-write changes to one task (a result arriving while a start or an update is saving),
/// so no change overwrites another. Striped: a fixed set of locks shared by hash, never allocated per task.
/// </summary>
// Not disposable on purpose: the stripes never create wait handles, and MQTT handlers still finishing during
// shutdown must be able to take and release them after the container has disposed its singletons.
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "SemaphoreSlim without AvailableWaitHandle holds no unmanaged resource; late handlers need the stripes.")]
internal sealed class TaskLocks
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<Releaser> AcquireAsync(string taskId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(taskId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    internal readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
