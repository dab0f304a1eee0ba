namespace Propeller.Broker.Tests.Support;

/// <summary>Polls for a condition that another thread or process brings about, up to a generous bound.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Wait;
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {TestTimeouts.Wait.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    public static Task WaitAsync(Func<bool> condition, string what) =>
        WaitAsync(() => condition() ? string.Empty : null, what);
}
