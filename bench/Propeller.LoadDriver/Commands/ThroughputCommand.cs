using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Propeller.LoadDriver.Measure;
using Propeller.LoadDriver.Output;
using Propeller.LoadDriver.Stack;

namespace Propeller.LoadDriver.Commands;

/// <summary>
/// Closed-loop throughput: N workers each create + start + await a task, again and again, for a fixed time per
/// level. CPU per task is the whole process's CPU time (broker, manager, proxy, proplets and this driver share it).
/// </summary>
internal static class ThroughputCommand
{
    public const string Name = "throughput";
    private const int Warmup = 100;

    public static readonly string[] Known = ["proplets", "concurrency", "seconds", "broker", "poll-ms"];

    public static async Task<int> RunAsync(DriverOptions options)
    {
        var proplets = options.Int("proplets", 8, 1);
        var levels = options.Ints("concurrency", [1, 4, 16, 64], 1);
        var seconds = options.Int("seconds", 10, 1);
        var broker = options.Choice("broker", BenchStack.Embedded, BenchStack.Embedded, BenchStack.Mosquitto);
        var pollMs = options.Int("poll-ms", 1, 1);

        var wasm = AddModule.Load();
        Console.WriteLine(Invariant($"{proplets} proplet(s), {broker} broker, {seconds} s per level, {Warmup} warm-up tasks ..."));
        await using var stack = await BenchStack.StartAsync(proplets, broker).ConfigureAwait(false);
        var runner = new TaskRunner(stack.Http, wasm, TimeSpan.FromMilliseconds(pollMs));
        for (var i = 0; i < Warmup; i++)
        {
            await runner.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var table = new TextTable("concurrency", "tasks", "tasks/s", "p50 ms", "p99 ms", "CPU ms/task", "CPU use");
        var runs = new JsonArray();
        using var process = Process.GetCurrentProcess();
        foreach (var level in levels)
        {
            Console.WriteLine(Invariant($"concurrency {level} ..."));
            var samples = new ConcurrentBag<TimeSpan>();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (Stopwatch.Frequency * seconds);
            var workers = Enumerable.Range(0, level).Select(_ => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    samples.Add(await runner.RunAsync(CancellationToken.None).ConfigureAwait(false));
                }
            }));
            await Task.WhenAll(workers).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;

            var latency = Distribution.Of(samples);
            var perSecond = latency.Count / elapsed.TotalSeconds;
            var cpuPerTask = cpu.TotalMilliseconds / Math.Max(1, latency.Count);
            var cpuUse = cpu / elapsed / Environment.ProcessorCount;
            table.Add(Text(level), Text(latency.Count), Fixed(perSecond, 1), Fixed(latency.P50, 2), Fixed(latency.P99, 2), Fixed(cpuPerTask, 3), Invariant($"{cpuUse:P0}"));
            var run = latency.ToJson();
            run["concurrency"] = level;
            run["elapsedSeconds"] = Math.Round(elapsed.TotalSeconds, 3);
            run["tasksPerSecond"] = Math.Round(perSecond, 1);
            run["processCpuMsPerTask"] = Math.Round(cpuPerTask, 3);
            run["processCpuShareOfMachine"] = Math.Round(cpuUse, 3);
            runs.Add(run);
        }

        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine("CPU is the whole process (broker + manager + proxy + proplets + this driver's HTTP client), not the manager alone.");
        var document = ResultFiles.Header(Name);
        document["description"] = "Closed loop: each worker creates + starts add(10,20) and polls GET /tasks/{id} every pollMs until the result is stored, then repeats. processCpuMsPerTask is Process.TotalProcessorTime of the whole in-process stack and driver divided by tasks.";
        document["proplets"] = proplets;
        document["broker"] = broker;
        document["secondsPerLevel"] = seconds;
        document["pollMs"] = pollMs;
        document["runs"] = runs;
        Console.WriteLine($"written {ResultFiles.Write(Name, document)}");
        return 0;
    }

    private static string Fixed(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
