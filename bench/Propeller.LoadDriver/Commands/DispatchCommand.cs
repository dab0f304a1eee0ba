using System.Globalization;
using System.Text.Json.Nodes;
using Propeller.LoadDriver.Measure;
using Propeller.LoadDriver.Output;
using Propeller.LoadDriver.Stack;

namespace Propeller.LoadDriver.Commands;

/// <summary>
/// Sequential dispatch latency: one task at a time, REST create + start until the result is stored, per proplet
/// count and broker, as a distribution and as a multiple of the engine floor.
/// </summary>
internal static class DispatchCommand
{
    public const string Name = "dispatch";
    private const int Warmup = 100;
    private const int FloorIterations = 10_000;

    public static readonly string[] Known = ["tasks", "proplets", "broker"];

    public static async Task<int> RunAsync(DriverOptions options)
    {
        var tasks = options.Int("tasks", 2000, 1);
        var proplets = options.Ints("proplets", [1, 2, 8], 1);
        var broker = options.Choice("broker", "both", BenchStack.Embedded, BenchStack.Mosquitto, "both");
        var brokers = broker == "both" ? new[] { BenchStack.Embedded, BenchStack.Mosquitto } : [broker];

        var wasm = AddModule.Load();
        var floor = EngineFloor.Measure(wasm, FloorIterations);
        Console.WriteLine(Invariant($"engine floor (instantiate + call add, pooling allocator, {FloorIterations} calls): p50 {floor.P50:F4} ms, p99 {floor.P99:F4} ms"));

        var table = new TextTable("broker", "proplets", "tasks", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50/floor");
        var runs = new JsonArray();
        foreach (var name in brokers)
        {
            foreach (var count in proplets)
            {
                Console.WriteLine(Invariant($"running {tasks} tasks after {Warmup} warm-up on {count} proplet(s), {name} broker ..."));
                await using var stack = await BenchStack.StartAsync(count, name).ConfigureAwait(false);
                var runner = new TaskRunner(stack.Http, wasm, TimeSpan.FromMilliseconds(1));
                for (var i = 0; i < Warmup; i++)
                {
                    await runner.RunAsync(CancellationToken.None).ConfigureAwait(false);
                }

                var samples = new List<TimeSpan>(tasks);
                for (var i = 0; i < tasks; i++)
                {
                    samples.Add(await runner.RunAsync(CancellationToken.None).ConfigureAwait(false));
                }

                var latency = Distribution.Of(samples);
                var ratio = latency.P50 / floor.P50;
                table.Add(name, Text(count), Text(tasks), Ms(latency.P50), Ms(latency.P90), Ms(latency.P99), Ms(latency.Max), Invariant($"{ratio:F0}x"));
                var run = latency.ToJson();
                run["broker"] = name;
                run["proplets"] = count;
                run["p50OverFloor"] = Math.Round(ratio, 1);
                runs.Add(run);
            }
        }

        Console.WriteLine();
        Console.Write(table);
        var document = ResultFiles.Header(Name);
        document["description"] = "Sequential tasks: REST create + start of add(10,20) with the module inline until GET /tasks/{id} shows the stored result (polled every 1 ms); manager storage is the dev stack's default.";
        document["warmup"] = Warmup;
        document["engineFloor"] = floor.ToJson();
        document["runs"] = runs;
        Console.WriteLine($"written {ResultFiles.Write(Name, document)}");
        return 0;
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
