namespace Propeller.Proplet.Runtimes;

/// <summary>Runs one Wasm task to completion and returns the text published as its result.</summary>
internal interface IWasmRuntime
{
    /// <summary>
    /// Runs <paramref name="request"/>. Failures throw <see cref="WasmExecutionException"/> whose message is the
    /// error text published to the manager; cancelling <paramref name="cancellationToken"/> (a stop) stops the guest
    /// and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<string> RunAsync(WasmRunRequest request, CancellationToken cancellationToken);
}
