namespace Propeller.Proplet.Runtimes;

/// <summary>Everything a runtime needs to execute one task.</summary>
internal sealed record WasmRunRequest
{
    public required string TaskId { get; init; }

    /// <summary>The task's <c>name</c>: the export to call.</summary>
    public required string FunctionName { get; init; }

    public required ReadOnlyMemory<byte> Wasm { get; init; }

    /// <summary>The task's <c>inputs</c>, parsed against the export's parameter types.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Guest environment; the caller has already added <c>PROPLET_ID</c>.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Host directories preopened read/write at the same guest path.</summary>
    public IReadOnlyList<string> PreopenDirs { get; init; } = [];

    /// <summary>Arguments for an external runtime; Wasmtime guests get no argv beyond the program name.</summary>
    public IReadOnlyList<string> CliArgs { get; init; } = [];

    /// <summary>Wall-clock limit of this run (the start's <c>timeout_ms</c>); null uses the proplet default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Called on the thread that runs the guest, just before it starts, so task monitoring can measure that thread;
    /// runtimes that do not run the guest on a thread of their own never call it.
    /// </summary>
    public Action? OnGuestThreadStarted { get; init; }
}
