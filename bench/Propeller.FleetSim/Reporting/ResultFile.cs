using System.Text.Json;
using System.Text.Json.Nodes;

namespace Propeller.FleetSim.Reporting;

/// <summary>Writes <c>bench/results/&lt;command&gt;.json</c> of the repository this program was built from.</summary>
internal static class ResultFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(string command, JsonObject report)
    {
        var directory = Path.Combine(RepoRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, command + ".json");
        File.WriteAllText(path, report.ToJsonString(Indented) + "\n");
        return path;
    }

    /// <summary>The nearest folder above the program holding <c>Propeller.slnx</c>; the working directory otherwise.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Propeller.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
