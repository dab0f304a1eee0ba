using System.Globalization;

namespace Propeller.Proplet.Monitoring;

/// <summary>Parses <c>/proc/[pid]/io</c> and <c>/proc/[pid]/task/[tid]/io</c>.</summary>
internal static class ProcIo
{
    /// <summary><c>read_bytes</c> and <c>write_bytes</c>: bytes that went to or came from storage; null when absent.</summary>
    public static (ulong Read, ulong Write)? StorageBytes(string io)
    {
        ArgumentNullException.ThrowIfNull(io);
        ulong? read = null;
        ulong? write = null;
        foreach (var line in io.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !ulong.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            switch (line[..colon])
            {
                case "read_bytes":
                    read = value;
                    break;
                case "write_bytes":
                    write = value;
                    break;
            }
        }

        return read is { } r && write is { } w ? (r, w) : null;
    }

    /// <summary>The <c>Threads:</c> count of a <c>/proc/[pid]/status</c> text.</summary>
    public static uint? ThreadCount(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return line is not null && uint.TryParse(line.AsSpan("Threads:".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;
    }
}
