using System.CommandLine;
using System.Text.Json;
using Propeller.Cli.Output;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;
using Spectre.Console;

namespace Propeller.Cli.Commands;

/// <summary><c>propeller jobs create|list|view|start|stop</c>.</summary>
internal static class JobsCommands
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static Command Build()
    {
        var jobs = new Command("jobs", "Create, run and inspect jobs (task graphs run in parallel, sequential or configurable mode)")
        {
            GlobalOptions.Offset,
            GlobalOptions.Limit,
        };
        jobs.Add(Create());
        jobs.Add(List());
        jobs.Add(View());
        jobs.Add(Action("start", "Start a job's root tasks according to its execution mode", (c, id, ct) => c.StartJobAsync(id, ct)));
        jobs.Add(Action("stop", "Stop every running task of a job", (c, id, ct) => c.StopJobAsync(id, ct)));
        return jobs;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "Job ID" };

    private static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON file: an array of tasks, or {\"name\",\"execution_mode\",\"tasks\":[...]}" };
        var mode = new Option<string?>("--mode") { Description = "Execution mode: parallel, sequential or configurable (overrides the file)" };
        mode.AcceptOnlyFromAmong("parallel", "sequential", "configurable");
        var name = new Option<string?>("--name") { Description = "Job name (overrides the file)" };
        var wasm = WorkflowsCommands.WasmOption();
        var command = new Command("create", "Create a job from a JSON file of tasks") { file, mode, name, wasm };
        command.SetAction(async (ctx, ct) =>
        {
            var graph = ctx.Get(file);
            var (tasks, document) = await WorkflowsCommands.ReadTasksAsync(graph, ct);
            await WorkflowsCommands.InlineWasmAsync(tasks, ctx.Get(wasm), graph, ct);
            var request = new JobRequest
            {
                Name = ctx.Get(name) ?? Text(document, "name"),
                ExecutionMode = ctx.Get(mode) ?? Text(document, "execution_mode"),
                Tasks = tasks,
            };
            using var client = ctx.CreateClient();
            Print(ctx, await client.CreateJobAsync(request, ct));
        });
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only jobs in this state: pending, running, completed or failed" };
        var command = new Command("list", "List jobs, newest first") { status };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.ListJobsAsync(ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), ctx.Get(status), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.JobPage));
                return;
            }

            var table = new Table().AddColumns("ID", "Name", "Mode", "State", "Tasks", "Created");
            foreach (var job in page.Jobs)
            {
                table.AddRow(
                    Markup.Escape(job.JobId),
                    Markup.Escape(job.Name ?? ""),
                    Markup.Escape(job.ExecutionMode ?? ""),
                    Views.StateMarkup(job.State),
                    job.Tasks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Views.Time(job.CreatedAt));
            }

            ctx.Console.Write(table);
            ctx.Console.Line($"{page.Jobs.Count} of {page.Total} job(s), offset {page.Offset}");
        });
        return command;
    }

    private static Command View()
    {
        var id = IdArgument();
        var command = new Command("view", "Show a job's state and its tasks") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            Print(ctx, await client.GetJobAsync(ctx.Get(id), ct));
        });
        return command;
    }

    private static Command Action(string verb, string description, Func<Client.ManagerClient, string, CancellationToken, Task<JobActionResponse>> call)
    {
        var id = IdArgument();
        var command = new Command(verb, description) { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var answer = await call(client, ctx.Get(id), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.WriteJson(JsonSerializer.Serialize(answer, Json.JobActionResponse));
                return;
            }

            ctx.Console.Ok($"{answer.Message}: {answer.JobId}");
        });
        return command;
    }

    private static void Print(CommandContext ctx, JobDto job)
    {
        if (ctx.Console.Json)
        {
            ctx.Console.WriteJson(JsonSerializer.Serialize(job, Json.JobDto));
            return;
        }

        var mode = string.IsNullOrEmpty(job.ExecutionMode) ? "" : $" ({Markup.Escape(job.ExecutionMode)})";
        ctx.Console.Line($"job [bold]{Markup.Escape(job.JobId)}[/] {Markup.Escape(job.Name ?? "")}{mode}: {Views.StateMarkup(job.State)}");
        ctx.Console.Write(Views.TaskTable(job.Tasks));
    }

    private static string? Text(JsonElement? document, string property) =>
        document is { } root && root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
