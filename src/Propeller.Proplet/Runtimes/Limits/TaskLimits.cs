namespace Propeller.Proplet.Runtimes.Limits;

/// <summary>
/// The limits one task runs under, and the error text published when it breaks one. Only the task fails; the
/// store it ran in is dropped and the proplet carries on.
/// </summary>
/// <param name="Timeout">Wall-clock limit from start to result; zero means none.</param>
/// <param name="MaxMemoryBytes">Largest size any linear memory may grow to.</param>
/// <param name="Fuel">Fuel units the store starts with; zero means unmetered.</param>
internal sealed record TaskLimits(TimeSpan Timeout, long MaxMemoryBytes, ulong Fuel)
{
    /// <summary>The request's own timeout if it has one, else the proplet default.</summary>
    public static TaskLimits For(WasmRunRequest request, WasmRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return new TaskLimits(request.Timeout ?? options.TaskTimeout, options.MaxMemoryBytes, options.Fuel);
    }

    public string TimeExceeded => $"task exceeded its time limit of {(long)Timeout.TotalMilliseconds} ms";

    public string MemoryExceeded => $"task exceeded its memory limit of {MaxMemoryBytes} bytes";

    public string FuelExhausted => $"task ran out of fuel ({Fuel} units)";
}
