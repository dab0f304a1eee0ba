namespace Propeller.Proplet.Runtimes;

/// <summary>Limits that keep one guest from hurting the proplet host.</summary>
internal sealed record WasmRuntimeOptions
{
    public const long DefaultMaxMemoryBytes = 256L * 1024 * 1024;
    public const int DefaultMaxOutputBytes = 1024 * 1024;

    /// <summary>Largest size any linear memory of one guest may grow to.</summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemoryBytes;

    /// <summary>Bytes of guest stdout and of stderr kept (each); later output is dropped.</summary>
    public int MaxOutputBytes { get; init; } = DefaultMaxOutputBytes;

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
    }
}
