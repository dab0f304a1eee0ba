using System.Security.Cryptography;

namespace Propeller.Proplet.Runtimes.Caching;

/// <summary>
/// The on-disk form of one compiled artifact: a magic tag, the sha256 of the payload, then Wasmtime's serialized
/// code. The checksum matters because Wasmtime trusts serialized code as native code: a truncated or flipped file
/// must be refused before it reaches <c>Deserialize</c>, not crash the proplet.
/// </summary>
internal static class CompiledArtifactFile
{
    private static readonly byte[] Magic = "PRPLCW1\n"u8.ToArray();
    private const int HashBytes = 32;

    /// <summary>The payload of a well-formed file, or null when the file is damaged.</summary>
    public static byte[]? ReadPayload(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var header = Magic.Length + HashBytes;
        if (bytes.Length <= header || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        var payload = bytes.AsSpan(header);
        return SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, HashBytes))
            ? payload.ToArray()
            : null;
    }

    /// <summary>Writes atomically: a reader sees the old file, no file, or the whole new one.</summary>
    public static void Write(string path, ReadOnlySpan<byte> payload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Magic);
                stream.Write(SHA256.HashData(payload));
                stream.Write(payload);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
