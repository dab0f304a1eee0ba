using System.Text;

namespace Propeller.Manager.Plugins;

/// <summary>
/// Splits what a plugin writes to stdout or stderr into lines and hands each one to a logger callback. A line longer
/// than <see cref="MaxLineBytes"/> is cut there, so a plugin that never writes a newline cannot grow the buffer.
/// </summary>
/// <remarks>Wasmtime calls <see cref="Append"/> on its own thread while the plugin call waits; a private lock keeps
/// it apart from <see cref="Flush"/>, which runs after the call.</remarks>
internal sealed class PluginOutput(Action<string> writeLine)
{
    public const int MaxLineBytes = 8 * 1024;

    private readonly Lock _lock = new();
    private readonly byte[] _line = new byte[MaxLineBytes];
    private int _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            foreach (var b in data)
            {
                if (b == (byte)'\n')
                {
                    Emit();
                    continue;
                }

                if (_length == MaxLineBytes)
                {
                    Emit();
                }

                _line[_length++] = b;
            }
        }
    }

    /// <summary>Emits a last line that did not end with a newline.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_length > 0)
            {
                Emit();
            }
        }
    }

    private void Emit()
    {
        var text = Encoding.UTF8.GetString(_line, 0, _length).TrimEnd('\r');
        _length = 0;
        writeLine(text);
    }
}
