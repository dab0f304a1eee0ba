namespace Propeller.Manager.Proplets;

/// <summary>
/// Serialises what happens to one proplet record: discovery, heartbeats, its Last Will, metrics that register it,
/// and its deletion. Messages are handled concurrently, so without this a heartbeat still saving could land after
/// the Last Will that followed it and make a dead proplet look alive. Waiters are served in arrival order, which is
/// the order the broker delivered the messages in. Striped like <see cref="Tasks.TaskLocks"/>.
/// </summary>
// Not disposable on purpose: the stripes never create wait handles, and MQTT handlers still finishing during
// shutdown must be able to take and release them after the container has disposed its singletons.
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "SemaphoreSlim without AvailableWaitHandle holds no unmanaged resource; late handlers need the stripes.")]
internal sealed class PropletLocks
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<Releaser> AcquireAsync(string propletId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(propletId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    internal readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
