using System.CommandLine;
using System.Text.Json;
using Propeller.Cli.Output;
using Propeller.Contracts.Serialization;

namespace Propeller.Cli.Commands;

/// <summary><c>propeller tasks ...</c>: one subcommand per task route of the manager.</summary>
internal static class TasksCommands
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    public static Command Build()
    {
        var tasks = new Command("tasks", "Create, run and inspect tasks") { GlobalOptions.Offset, GlobalOptions.Limit };
        tasks.Add(Create());
        tasks.Add(List());
        tasks.Add(View());
        tasks.Add(Update());
        tasks.Add(Delete());
        tasks.Add(Simple("start", "Dispatch a task to a proplet", (c, id, ct) => c.StartTaskAsync(id, ct), "started"));
        tasks.Add(Simple("stop", "Stop a running task", (c, id, ct) => c.StopTaskAsync(id, ct), "stopped"));
        tasks.Add(Invoke());
        tasks.Add(Results());
        tasks.Add(Upload());
        tasks.Add(Metrics());
        return tasks;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "Task ID" };

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Task name: also the Wasm function to call" };
        var flags = new TaskFlags();
        var command = new Command("create", "Create a task") { name };
        flags.AddTo(command);
        flags.AddCreateOnlyTo(command);
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var task = await client.CreateTaskAsync(await flags.BuildAsync(ctx, ctx.Get(name), ct), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(task, Json.TaskDto));
        });
        return command;
    }

    private static Command List()
    {
        var metadata = new Option<string[]>("--metadata") { Description = "Only tasks with label K=V (repeatable; all must match)" };
        var command = new Command("list", "List tasks, newest first") { metadata };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.ListTasksAsync(ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), TaskFlags.Pairs(ctx.Get(metadata)), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.TaskPage));
                return;
            }

            ctx.Console.Write(Views.TaskTable(page.Tasks));
            ctx.Console.Line($"{page.Tasks.Count} of {page.Total} task(s), offset {page.Offset}");
        });
        return command;
    }

    private static Command View()
    {
        var id = IdArgument();
        var command = new Command("view", "Show one task") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var task = await client.GetTaskAsync(ctx.Get(id), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(task, Json.TaskDto));
        });
        return command;
    }

    private static Command Update()
    {
        var id = IdArgument();
        var name = new Option<string?>("--name") { Description = "New name" };
        var flags = new TaskFlags();
        var command = new Command("update", "Change a task's name, inputs, file, priority, metadata or schedule") { id, name };
        flags.AddTo(command);
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var task = await client.UpdateTaskAsync(ctx.Get(id), await flags.BuildAsync(ctx, ctx.Get(name), ct), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(task, Json.TaskDto));
        });
        return command;
    }

    private static Command Delete()
    {
        var id = IdArgument();
        var command = new Command("delete", "Delete a task") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            await client.DeleteTaskAsync(ctx.Get(id), ct);
            ctx.Console.Ok("deleted");
        });
        return command;
    }

    private static Command Simple(string verb, string description, Func<Client.ManagerClient, string, CancellationToken, Task> call, string done)
    {
        var id = IdArgument();
        var command = new Command(verb, description) { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            await call(client, ctx.Get(id), ct);
            ctx.Console.Ok(done);
        });
        return command;
    }

    /// <summary>
    /// Runs a latent task once. The body is left out when there are neither inputs nor env, as the original CLI
    /// does; the results string is printed raw, or as a JSON string with <c>--json</c>.
    /// </summary>
    private static Command Invoke()
    {
        var id = IdArgument();
        var inputs = new Argument<string[]>("inputs") { Description = "Function arguments for this invocation", Arity = ArgumentArity.ZeroOrMore };
        var env = new Option<string[]>("--env", "-e") { Description = "Environment entry K=V for this invocation only (repeatable)" };
        var command = new Command("invoke", "Run a latent task once on a proplet that has it precompiled") { id, inputs, env };
        command.SetAction(async (ctx, ct) =>
        {
            var arguments = ctx.Get(inputs);
            var variables = TaskFlags.Pairs(ctx.Get(env));
            var request = arguments is { Length: > 0 } || variables is not null
                ? new Contracts.Api.InvokeRequest { Inputs = arguments is { Length: > 0 } ? [.. arguments] : null, Env = variables }
                : null;
            using var client = ctx.CreateClient();
            var results = await client.InvokeTaskAsync(ctx.Get(id), request, ct);
            ctx.Console.Out.WriteLine(ctx.Console.Json ? JsonSerializer.Serialize(results, Json.String) : results);
        });
        return command;
    }

    private static Command Results()
    {
        var id = IdArgument();
        var command = new Command("results", "Print a task's results") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var results = await client.GetTaskResultsAsync(ctx.Get(id), ct);
            if (ctx.Console.Json)
            {
                ctx.Console.Out.WriteLine(results?.GetRawText() ?? "null");
            }
            else
            {
                ctx.Console.Out.WriteLine(Views.ResultText(results));
            }
        });
        return command;
    }

    private static Command Upload()
    {
        var id = IdArgument();
        var file = new Argument<FileInfo>("file") { Description = "The .wasm file" };
        var command = new Command("upload", "Replace a task's Wasm binary (multipart upload)") { id, file };
        command.SetAction(async (ctx, ct) =>
        {
            var path = ctx.Get(file);
            var bytes = await WasmFile.ReadAsync(path, ct);
            using var client = ctx.CreateClient();
            var task = await client.UploadTaskFileAsync(ctx.Get(id), Path.ChangeExtension(path.Name, ".wasm"), bytes, ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(task, Json.TaskDto));
        });
        return command;
    }

    private static Command Metrics()
    {
        var id = IdArgument();
        var command = new Command("metrics", "Show the samples proplets reported for a task") { id };
        command.SetAction(async (ctx, ct) =>
        {
            using var client = ctx.CreateClient();
            var page = await client.GetTaskMetricsAsync(ctx.Get(id), ctx.Get(GlobalOptions.Offset), ctx.Get(GlobalOptions.Limit), ct);
            ctx.Console.WriteJson(JsonSerializer.Serialize(page, Json.TaskMetricsPage));
        });
        return command;
    }
}
