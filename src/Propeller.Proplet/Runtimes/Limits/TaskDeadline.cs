namespace Propeller.Proplet.Runtimes.Limits;

/// <summary>
/// The wall-clock deadline of one run. When it passes, <see cref="Expired"/> turns true and the engine epoch is
/// advanced, so the guest reaches its epoch callback at the next function entry or loop back-edge and traps there.
/// </summary>
internal sealed class TaskDeadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenRegistration _registration;
    private volatile bool _expired;

    public TaskDeadline(TimeSpan timeout, Action interrupt)
    {
        ArgumentNullException.ThrowIfNull(interrupt);
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        _timer = new CancellationTokenSource(timeout);
        _registration = _timer.Token.Register(() =>
        {
            // Set before interrupting: the callback the interrupt wakes must already see it.
            _expired = true;
            interrupt();
        });
    }

    public bool Expired => _expired;

    public void Dispose()
    {
        _registration.Dispose();
        _timer?.Dispose();
    }
}
