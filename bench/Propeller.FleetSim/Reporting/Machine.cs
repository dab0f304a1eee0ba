using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Propeller.FleetSim.Reporting;

/// <summary>Where a result was measured; figures only compare within one machine.</summary>
internal static class Machine
{
    public static JsonObject Describe() => new()
    {
        ["processors"] = Environment.ProcessorCount,
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["measured_at"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };
}
