using Propeller.Proplet.Runtimes;

namespace Propeller.Cli.Commands;

/// <summary>Reads a workload from disk: a binary <c>.wasm</c>, or WebAssembly text (<c>.wat</c>) compiled here.</summary>
internal static class WasmFile
{
    public static async Task<byte[]> ReadAsync(FileInfo file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Exists)
        {
            throw new CliUsageException($"file '{file.FullName}' does not exist");
        }

        if (!string.Equals(file.Extension, ".wat", StringComparison.OrdinalIgnoreCase))
        {
            return await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
        }

        var text = await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false);
        return WatCompiler.ToWasm(text);
    }
}
