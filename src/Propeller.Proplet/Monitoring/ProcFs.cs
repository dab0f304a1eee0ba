using System.Globalization;

namespace Propeller.Proplet.Monitoring;

/// <summary>Parsers for the Linux <c>/proc</c> files the metrics come from; each returns null for text it cannot read.</summary>
internal static class ProcFs
{
    /// <summary>Clock ticks per second of <c>/proc</c> CPU times; 100 on every Linux the proplet targets.</summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>utime and stime (fields 14 and 15) of a <c>/proc/[pid]/stat</c> line, in clock ticks.</summary>
    public static (ulong User, ulong System)? ProcessCpuTicks(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);

        // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
        var afterName = stat.LastIndexOf(')');
        if (afterName < 0)
        {
            return null;
        }

        var fields = stat[(afterName + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 12 && TryParse(fields[11], out var user) && TryParse(fields[12], out var system)
            ? (user, system)
            : null;
    }

    /// <summary>Total and idle (idle + iowait) clock ticks of the aggregate <c>cpu</c> line of <c>/proc/stat</c>.</summary>
    public static (ulong Total, ulong Idle)? SystemCpuTicks(string procStat)
    {
        ArgumentNullException.ThrowIfNull(procStat);
        var line = procStat.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var values = new List<ulong>();
        foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (!TryParse(field, out var value))
            {
                return null;
            }

            values.Add(value);
        }

        if (values.Count < 4)
        {
            return null;
        }

        // user nice system idle iowait irq softirq steal; guest time is already counted in user and nice.
        var total = values.Take(8).Aggregate(0UL, (sum, v) => sum + v);
        var idle = values[3] + (values.Count > 4 ? values[4] : 0);
        return (total, idle);
    }

    /// <summary>
    /// Percentage of non-idle time between two <see cref="SystemCpuTicks"/> samples, 0–100; 0 when no time passed.
    /// </summary>
    public static double BusyPercent((ulong Total, ulong Idle) earlier, (ulong Total, ulong Idle) later)
    {
        if (later.Total <= earlier.Total)
        {
            return 0;
        }

        var total = later.Total - earlier.Total;
        var idle = later.Idle >= earlier.Idle ? later.Idle - earlier.Idle : 0;
        return Math.Clamp(100.0 * (total - Math.Min(idle, total)) / total, 0, 100);
    }

    /// <summary>A <c>Key: N kB</c> line of <c>/proc/self/status</c> or <c>/proc/meminfo</c>, in bytes.</summary>
    public static ulong? KilobyteField(string text, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prefix = key + ":";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var parts = line[prefix.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && TryParse(parts[0], out var kilobytes) ? kilobytes * 1024 : null;
    }

    private static bool TryParse(string text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
