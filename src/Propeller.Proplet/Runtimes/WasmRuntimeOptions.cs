namespace Propeller.Proplet.Runtimes;

/// <summary>Limits that keep one guest from hurting the proplet host, and how the shared engine is tuned.</summary>
internal sealed record WasmRuntimeOptions
{
    public const long DefaultMaxMemoryBytes = 256L * 1024 * 1024;
    public const int DefaultMaxOutputBytes = 1024 * 1024;
    public const int DefaultMemoryCacheEntries = 32;
    public const int DefaultMaxConcurrentGuests = 64;

    /// <summary>Largest size any linear memory of one guest may grow to.</summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemoryBytes;

    /// <summary>Bytes of guest stdout and of stderr kept (each); later output is dropped.</summary>
    public int MaxOutputBytes { get; init; } = DefaultMaxOutputBytes;

    /// <summary>Wall-clock limit of a task whose start message has no <c>timeout_ms</c>; zero means none.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Fuel units each store starts with; zero turns fuel metering off (and out of the engine).</summary>
    public ulong Fuel { get; init; }

    /// <summary>Directory of compiled-module files; null keeps compiled modules in memory only.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Compiled modules kept in memory, most recently used first.</summary>
    public int MemoryCacheEntries { get; init; } = DefaultMemoryCacheEntries;

    /// <summary>Use the pooling allocator (falls back to on-demand when the pool cannot be reserved).</summary>
    public bool PoolingAllocator { get; init; } = true;

    /// <summary>
    /// Guests that run at once (tasks, daemons and invocations together); later ones wait for a slot in arrival
    /// order. Also sizes the pooling allocator's instances, memories and tables.
    /// </summary>
    public int MaxConcurrentGuests { get; init; } = DefaultMaxConcurrentGuests;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxMemoryBytes <= 0)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(MaxMemoryBytes)} must be positive, got {MaxMemoryBytes}.");
        }

        if (MaxOutputBytes <= 0)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(MaxOutputBytes)} must be positive, got {MaxOutputBytes}.");
        }

        if (TaskTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(TaskTimeout)} must not be negative, got {TaskTimeout}.");
        }

        if (MemoryCacheEntries < 0)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(MemoryCacheEntries)} must not be negative, got {MemoryCacheEntries}.");
        }

        if (MaxConcurrentGuests <= 0)
        {
            throw new ArgumentException(
                $"{nameof(WasmRuntimeOptions)}.{nameof(MaxConcurrentGuests)} must be positive, got {MaxConcurrentGuests}.");
        }
    }
}
