using System.Text.Json;
using System.Text.Json.Nodes;

namespace Propeller.LoadDriver.Output;

/// <summary><c>bench/results/</c> of the repository: one JSON document per command, merged by <c>report</c>.</summary>
internal static class ResultFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Directory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Propeller.slnx")))
                {
                    var results = Path.Combine(directory.FullName, "bench", "results");
                    System.IO.Directory.CreateDirectory(results);
                    return results;
                }
            }

            throw new InvalidOperationException("Run the load driver from inside the repository (Propeller.slnx not found).");
        }
    }

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(Directory, "..", ".."));

    public static string Write(string name, JsonObject document)
    {
        var path = Path.Combine(Directory, name + ".json");
        File.WriteAllText(path, document.ToJsonString(Indented) + Environment.NewLine);
        return path;
    }

    /// <summary>What every result file records about the run, so figures from different machines are not mixed up.</summary>
    public static JsonObject Header(string command) => new()
    {
        ["command"] = command,
        ["recordedAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["machine"] = new JsonObject
        {
            ["processors"] = Environment.ProcessorCount,
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        },
    };
}
