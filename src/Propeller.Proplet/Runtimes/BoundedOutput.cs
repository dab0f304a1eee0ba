using System.Buffers;
using System.Text;

namespace Propeller.Proplet.Runtimes;

/// <summary>Collects a guest output stream, keeping only its first <c>limit</c> bytes.</summary>
internal sealed class BoundedOutput(int limit)
{
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _bytes = new();

    /// <summary>Receives guest writes; runs on a Wasmtime thread, so it only copies and never throws.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            var room = limit - _bytes.WrittenCount;
            if (room > 0)
            {
                _bytes.Write(data[..Math.Min(room, data.Length)]);
            }
        }
    }

    /// <summary>The kept bytes as text; invalid UTF-8 becomes U+FFFD.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            return Encoding.UTF8.GetString(_bytes.WrittenSpan);
        }
    }
}
