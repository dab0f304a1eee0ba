using System.Globalization;

namespace Propeller.FleetSim.Footprint;

/// <summary>Memory lines of <c>/proc/&lt;pid&gt;/status</c>, in MiB.</summary>
internal static class ProcStatus
{
    /// <summary>Resident set size now (<c>VmRSS</c>).</summary>
    public static double RssMiB(int pid) => Read(pid, "VmRSS:");

    /// <summary>Highest resident set size since the process started (<c>VmHWM</c>).</summary>
    public static double PeakRssMiB(int pid) => Read(pid, "VmHWM:");

    private static double Read(int pid, string key)
    {
        foreach (var line in File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/status")))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kib = long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return Math.Round(kib / 1024.0, 1);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {key} line");
    }
}
