namespace Propeller.Broker.Transport;

/// <summary>
/// Counts open connections across all listeners, so a flood of sockets (each costing buffers, a task and,
/// on TLS, a handshake) cannot exhaust the process. A slot is taken at accept and returned when the
/// connection ends.
/// </summary>
internal sealed class ConnectionLimiter(int maxConnections)
{
    private int _open;

    public int MaxConnections => maxConnections;

    public bool TryAcquire()
    {
        if (Interlocked.Increment(ref _open) <= maxConnections)
        {
            return true;
        }

        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);
}
