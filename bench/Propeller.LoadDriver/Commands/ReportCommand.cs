using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Propeller.LoadDriver.Output;

namespace Propeller.LoadDriver.Commands;

/// <summary>
/// Merges every <c>bench/results/*.json</c> (this driver's and the fleet simulator's) into <c>latest.json</c>, keyed
/// by file name, and prints their numbers as one table: known figures of dispatch and throughput by name, every
/// other file's numeric fields by path.
/// </summary>
internal static class ReportCommand
{
    public const string Name = "report";
    private const string Latest = "latest";

    public static int Run()
    {
        var merged = new JsonObject();
        var table = new TextTable("source", "figure", "value");
        foreach (var path in Directory.GetFiles(ResultFiles.Directory, "*.json").Order(StringComparer.Ordinal))
        {
            var source = Path.GetFileNameWithoutExtension(path);
            if (source == Latest)
            {
                continue;
            }

            JsonNode? node;
            try
            {
                node = JsonNode.Parse(File.ReadAllText(path));
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"skipping {path}: not JSON ({e.Message})");
                continue;
            }

            merged[source] = node;
            switch (source)
            {
                case DispatchCommand.Name:
                    AddDispatch(table, node);
                    break;
                case ThroughputCommand.Name:
                    AddThroughput(table, node);
                    break;
                default:
                    AddLeaves(table, source, string.Empty, node);
                    break;
            }
        }

        var document = ResultFiles.Header(Name);
        document["results"] = merged;
        Console.Write(table);
        Console.WriteLine($"merged {merged.Count} file(s) into {ResultFiles.Write(Latest, document)}");
        return 0;
    }

    private static void AddDispatch(TextTable table, JsonNode? node)
    {
        table.Add(DispatchCommand.Name, "engine floor p50 ms", Number(node?["engineFloor"]?["p50Ms"]));
        foreach (var run in node?["runs"]?.AsArray() ?? [])
        {
            var label = $"{run?["broker"]}, {run?["proplets"]} proplet(s)";
            table.Add(DispatchCommand.Name, $"{label}: p50 / p99 ms", $"{Number(run?["p50Ms"])} / {Number(run?["p99Ms"])}");
            table.Add(DispatchCommand.Name, $"{label}: p50 / floor", Number(run?["p50OverFloor"]) + "x");
        }
    }

    private static void AddThroughput(TextTable table, JsonNode? node)
    {
        foreach (var run in node?["runs"]?.AsArray() ?? [])
        {
            var label = $"{node?["proplets"]} proplets, concurrency {run?["concurrency"]}";
            table.Add(ThroughputCommand.Name, $"{label}: tasks/s", Number(run?["tasksPerSecond"]));
            table.Add(ThroughputCommand.Name, $"{label}: process CPU ms/task", Number(run?["processCpuMsPerTask"]));
        }
    }

    /// <summary>Numeric leaves of a document whose shape this driver does not know, named by their JSON path.</summary>
    private static void AddLeaves(TextTable table, string source, string path, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key != "machine")
                    {
                        AddLeaves(table, source, path.Length == 0 ? key : $"{path}.{key}", value);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    AddLeaves(table, source, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), array[i]);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                table.Add(source, path, Number(value));
                break;
        }
    }

    private static string Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? value.GetValue<double>().ToString("0.####", CultureInfo.InvariantCulture)
            : "-";
}
