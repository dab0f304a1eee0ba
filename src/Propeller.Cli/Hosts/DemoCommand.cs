using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Propeller.Cli.Client;
using Propeller.Cli.Commands;
using Propeller.Cli.Output;
using Spectre.Console;

namespace Propeller.Cli.Hosts;

/// <summary>
/// <c>propeller demo</c>: starts the dev stack in this process on free loopback ports with throw-away data,
/// runs the example workloads and prints a table. Exits 0 only when every workload did what it should.
/// </summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var proplets = new Option<int>("--proplets") { Description = "How many proplets to start", DefaultValueFactory = _ => 2 };
        var examples = new Option<string?>("--examples") { Description = "Folder of the example workloads (default: the ones shipped with the CLI)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the components' logs" };
        var command = new Command("demo", "Start a system in this process, run example Wasm workloads on it, and show where and how they ran")
        {
            proplets, examples, verbose,
        };
        command.SetAction(async (ctx, ct) =>
        {
            var examplesDir = ctx.Get(examples) ?? FindExamples();
            var dataDir = Directory.CreateTempSubdirectory("propeller-demo-").FullName;
            var options = new DevStackOptions { DataDir = dataDir, Proplets = ctx.Get(proplets), MqttPort = 0, HttpPort = 0, ProxyHttpPort = 0, LogLevel = ctx.Get(verbose) ? LogLevel.Information : LogLevel.Warning };
            var readable = HostLogging.Readable(options.LogLevel, toStandardError: true);
            void Logging(ILoggingBuilder builder)
            {
                readable(builder);

                // The demo's manager is reachable from this process only; its "no REST auth" warning would be noise.
                builder.AddFilter("Propeller.Manager.Hosting.ManagerHostedService", LogLevel.Error);
            }

            try
            {
                using var loggerFactory = HostLogging.Factory(Logging);
                IReadOnlyList<DemoRow> rows;
                await using (var stack = await DevStack.StartAsync(options, loggerFactory, Logging, ct))
                {
                    if (!ctx.Console.Json)
                    {
                        ctx.Console.Line($"Started a broker, a manager at {stack.ManagerUrl}, an OCI proxy and {stack.PropletIds.Count} proplets in this process.");
                    }

                    using var client = new ManagerClient(stack.ManagerUrl, apiKey: null);
                    rows = await new DemoRunner(client, examplesDir).RunAsync(stack.PropletIds.Count, ct);
                }

                Print(ctx.Console, rows);
                return rows.All(r => r.AsExpected) ? CommandRunner.Success : CommandRunner.Failure;
            }
            finally
            {
                TryDelete(dataDir);
            }
        });
        return command;
    }

    private static void Print(CliConsole console, IReadOnlyList<DemoRow> rows)
    {
        if (console.Json)
        {
            var array = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["workload"] = r.Workload,
                ["task_id"] = r.TaskId,
                ["proplet"] = r.Proplet,
                ["state"] = r.State.ToString(),
                ["result"] = r.Result,
                ["ok"] = r.AsExpected,
            }).ToArray());
            console.Out.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return;
        }

        var table = new Table().Title("Propeller demo").AddColumns("Workload", "Task", "Proplet", "State", "Result", "");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Workload),
                Markup.Escape(row.TaskId),
                Markup.Escape(row.Proplet),
                Views.StateMarkup(row.State),
                Markup.Escape(row.Result.TrimEnd()),
                row.AsExpected ? "[green]ok[/]" : $"[red]FAIL[/] {Markup.Escape(row.Expectation)}");
        }

        console.Write(table);
        console.Line(rows.All(r => r.AsExpected) ? "[green]All workloads ran as expected.[/]" : "[red]Some workloads did not run as expected.[/]");
    }

    private static string FindExamples()
    {
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, "examples"), Path.GetFullPath("examples") })
        {
            if (File.Exists(Path.Combine(candidate, "add", "add.wat")))
            {
                return candidate;
            }
        }

        throw new CliUsageException("example workloads not found; pass --examples <dir>");
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is cleaned up by the system later.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
