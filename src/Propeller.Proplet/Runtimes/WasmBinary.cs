namespace Propeller.Proplet.Runtimes;

/// <summary>Tells core modules and components apart from the binary header.</summary>
internal static class WasmBinary
{
    private const byte ComponentLayer = 0x0d;

    /// <summary>True when the bytes start with <c>\0asm</c> and the layer byte (index 4) marks a component.</summary>
    public static bool IsComponent(ReadOnlySpan<byte> wasm) =>
        wasm.Length > 4 && wasm[..4].SequenceEqual("\0asm"u8) && wasm[4] == ComponentLayer;
}
