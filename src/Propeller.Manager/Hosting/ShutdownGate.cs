using Propeller.Manager.Errors;

namespace Propeller.Manager.Hosting;

/// <summary>Closed once shutdown begins; new starts are refused from then on (manager-reference §3.7 step 1).</summary>
internal sealed class ShutdownGate
{
    private volatile bool _closed;

    public bool IsClosed => _closed;

    public void Close() => _closed = true;

    public void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new ServiceShuttingDownException("service is shutting down");
        }
    }
}
