namespace Propeller.Proplet.Runtimes.Components;

/// <summary>
/// The embedded Wasmtime runtime as the task pipeline sees it: components (layer byte 0x0d in the header) go to
/// <see cref="WasmtimeComponentRuntime"/>, everything else to <see cref="WasmtimeCoreRuntime"/>.
/// </summary>
internal sealed class WasmtimeRuntime(WasmtimeCoreRuntime core, WasmtimeComponentRuntime components) : IWasmRuntime
{
    public Task<string> RunAsync(WasmRunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WasmBinary.IsComponent(request.Wasm.Span)
            ? components.RunAsync(request, cancellationToken)
            : core.RunAsync(request, cancellationToken);
    }
}
