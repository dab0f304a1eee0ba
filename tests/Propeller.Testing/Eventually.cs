namespace Propeller.Testing;

/// <summary>Waits for a condition that other components make true asynchronously.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await probe();
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {last}");
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        await ValueAsync<object>(async () => await probe() ? true : null, _ => true, what, timeout);

    public static Task TrueAsync(Func<bool> probe, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(probe()), what, timeout);
}
