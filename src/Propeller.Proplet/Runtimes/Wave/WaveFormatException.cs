namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>WAVE text did not match the expected type; the message names the offset and what was expected.</summary>
internal sealed class WaveFormatException : FormatException
{
    public WaveFormatException()
    {
    }

    public WaveFormatException(string message)
        : base(message)
    {
    }

    public WaveFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WaveFormatException(int position, string message)
        : base($"{message} at offset {position}")
    {
        Position = position;
    }

    /// <summary>Zero-based character offset in the text where the problem was found.</summary>
    public int Position { get; }
}
