namespace Propeller.Manager.Proplets;

/// <summary>
/// Serialises what happens to one proplet record: discovery, heartbeats, its Last Will, metrics that register it,
/// and its deletion. Messages are handled concurrently, so without this a heartbeat still saving could land after
/// the Last Will that followed it and make a dead proplet look alive. Waiters are served in arrival order, which is
/// the order the broker delivered the messages in. Striped like <see cref="Tasks.TaskLocks"/>.
/// </summary>
internal sealed class PropletLocks : IDisposable
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<Releaser> AcquireAsync(string propletId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(propletId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    internal readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
