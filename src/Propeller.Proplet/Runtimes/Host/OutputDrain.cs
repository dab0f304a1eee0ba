namespace Propeller.Proplet.Runtimes.Host;

/// <summary>
/// Reads a child's output pipe to its end while the child runs, keeping the first bytes in a
/// <see cref="BoundedOutput"/>. Reading past the limit keeps the pipe empty, so a chatty child never blocks.
/// </summary>
internal static class OutputDrain
{
    private const int BufferBytes = 16 * 1024;

    public static async Task ReadToEndAsync(Stream pipe, BoundedOutput output)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            int read;
            while ((read = await pipe.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                output.Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe closed under us (the process was disposed); what was read is kept.
        }
    }
}
