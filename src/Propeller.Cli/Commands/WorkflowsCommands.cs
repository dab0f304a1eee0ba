using System.CommandLine;
using System.Text.Json;
using Propeller.Cli.Output;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Commands;

/// <summary><c>propeller workflows create|start|view</c>.</summary>
internal static class WorkflowsCommands
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static Command Build()
    {
        var workflows = new Command("workflows", "Create, start and inspect workflows (task graphs with run_if conditions)");
        workflows.Add(Create());
        workflows.Add(Start());
        workflows.Add(View());
        return workflows;
    }

    /// <summary><c>--wasm NAME=PATH</c>: the binary (<c>.wasm</c>, or <c>.wat</c> compiled here) of the task whose id or name is NAME.</summary>
    internal static Option<string[]> WasmOption() => new("--wasm", "-w")
    {
        Description = "Inline the Wasm at PATH (.wasm or .wat) into the task whose id or name is NAME: NAME=PATH (repeatable)",
    };

    /// <summary>
    /// Reads the task list of a graph file: a JSON array of tasks, or an object with a <c>tasks</c> array (the
    /// REST body). Returns the tasks and, for an object, the whole document so callers can read more fields.
    /// </summary>
    internal static async Task<(List<TaskDto> Tasks, JsonElement? Document)> ReadTasksAsync(FileInfo file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Exists)
        {
            throw new CliUsageException($"file '{file.FullName}' does not exist");
        }

        var bytes = await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var array = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("tasks", out var tasks) && tasks.ValueKind == JsonValueKind.Array => tasks,
                _ => throw new CliUsageException($"'{file.Name}' must hold a JSON array of tasks or an object with a \"tasks\" array"),
            };
            var list = array.Deserialize(Json.ListTaskDto) ?? [];
            return list.Any(t => t is null)
                ? throw new CliUsageException($"'{file.Name}': a task is null")
                : (list, root.ValueKind == JsonValueKind.Object ? root.Clone() : null);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"'{file.Name}' is not valid task JSON: {ex.Message}");
        }
    }

    /// <summary>Puts each <c>--wasm</c> binary into the task it names; a name that matches no task is an error.</summary>
    internal static async Task InlineWasmAsync(List<TaskDto> tasks, string[]? pairs, FileInfo graphFile, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(graphFile);
        foreach (var (name, path) in TaskFlags.Pairs(pairs) ?? [])
        {
            var matches = tasks.Where(t => t.Id == name || t.Name == name).ToList();
            if (matches.Count == 0)
            {
                throw new CliUsageException($"--wasm {name}=...: no task has the id or name '{name}'");
            }

            // A relative path is read relative to the graph file, so a file and its binaries travel together.
            var full = Path.IsPathRooted(path) ? path : Path.Combine(graphFile.DirectoryName ?? ".", path);
            var bytes = Convert.ToBase64String(await WasmFile.ReadAsync(new FileInfo(full), ct).ConfigureAwait(false));
            foreach (var task in matches)
            {
                task.File = bytes;
            }
        }
    }

    private static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON file: an array of tasks, or {\"tasks\":[...]}" };
        var wasm = WasmOption();
        var command = new Command("create", "Create a workflow from a JSON file of tasks (depends_on names other tasks' ids)") { file, wasm };
        command.SetAction(async (ctx, ct) =>
        {
            var graph = ctx.Get(file);
            var (tasks, _) = await ReadTasksAsync(graph, ct);
            await InlineWasmAsync(tasks, ctx.Get(wasm), graph, ct);
            using var client = ctx.CreateClient();
            Print(ctx, await client.CreateWorkflowAsync(new WorkflowRequest { Tasks = tasks }, ct));
        });
        return command;
    }

    private static Command Start()
    {
        var id = new Argument<string>("id") { Description = "Workflow ID" };
        var command = new Command("start", "Start a workflow's root tasks; the rest follows as results arrive") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var started = await client.StartWorkflowAsync(ctx.Get(id), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.WriteJson(JsonSerializer.Serialize(started, Json.WorkflowStartedResponse));
                return;
            }

            ctx.Console.Ok($"started {started.Started.Count} root task(s): {string.Join(", ", started.Started)}");
        });
        return command;
    }

    private static Command View()
    {
        var id = new Argument<string>("id") { Description = "Workflow ID" };
        var command = new Command("view", "Show a workflow's state and every task's state") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            Print(ctx, await client.GetWorkflowAsync(ctx.Get(id), ct));
        });
        return command;
    }

    private static void Print(CommandContext ctx, WorkflowDto workflow)
    {
        if (ctx.Console.Json)
        {
            ctx.Console.WriteJson(JsonSerializer.Serialize(workflow, Json.WorkflowDto));
            return;
        }

        ctx.Console.Line($"workflow [bold]{Spectre.Console.Markup.Escape(workflow.WorkflowId)}[/]: {Views.StateMarkup(workflow.State)}");
        ctx.Console.Write(Views.TaskTable(workflow.Tasks));
    }
}
