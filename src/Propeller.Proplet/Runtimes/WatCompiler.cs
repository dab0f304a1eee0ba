using Wasmtime;

namespace Propeller.Proplet.Runtimes;

/// <summary>Turns WebAssembly text into a binary in process, so no external wat2wasm is needed.</summary>
internal static class WatCompiler
{
    /// <exception cref="FormatException">The text is not valid WebAssembly text format.</exception>
    public static byte[] ToWasm(string wat)
    {
        ArgumentNullException.ThrowIfNull(wat);
        try
        {
            return Module.ConvertText(wat);
        }
        catch (WasmtimeException e)
        {
            throw new FormatException($"Invalid WebAssembly text: {e.Message}", e);
        }
    }
}
