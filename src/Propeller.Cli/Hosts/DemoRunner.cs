using System.Text.Json;
using Propeller.Cli.Client;
using Propeller.Cli.Commands;
using Propeller.Cli.Output;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;

namespace Propeller.Cli.Hosts;

/// <summary>
/// The workloads <c>propeller demo</c> runs against a live stack: <c>add(10,20)</c> from WebAssembly text, inline and
/// downloaded over HTTP, a
/// component export called with a WAVE argument, a C program compiled to wasm32-wasi that prints its environment,
/// and an endless loop that is stopped through the API. Each row says where the task ran, its final state and its result, and whether that is what was expected.
/// </summary>
internal sealed class DemoRunner(ManagerClient client, string examplesDir)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<DemoRow>> RunAsync(int expectedProplets, CancellationToken ct)
    {
        var proplets = await WaitForPropletsAsync(expectedProplets, ct).ConfigureAwait(false);
        string NameOf(string? id) => id is not null && proplets.TryGetValue(id, out var name) ? name : id ?? "";

        var rows = new List<DemoRow>();

        var add = await RunToEndAsync("add", Example("add", "add.wat"), ["10", "20"], null, ct).ConfigureAwait(false);
        rows.Add(Row("add(10,20) · add.wat", add, NameOf, t => Views.ResultText(t.Results) == "30" && t.State == TaskState.Completed, "expected 30"));

        rows.Add(await RunOverHttpAsync(NameOf, ct).ConfigureAwait(false));

        var greet = await RunToEndAsync("greet", Example("greet", "greet.wat"), ["\"world\""], null, ct).ConfigureAwait(false);
        rows.Add(Row("greet(\"world\") · component", greet, NameOf, t => Views.ResultText(t.Results) == "\"Hello, world!\"" && t.State == TaskState.Completed, "expected \"Hello, world!\" (WAVE)"));

        rows.Add(await DeployAndInvokeAsync(NameOf, ct).ConfigureAwait(false));

        var env = new Dictionary<string, string> { ["GREETING"] = "hello from propeller" };
        var hello = await RunToEndAsync("_start", Example("hello-env", "hello_env.wasm"), null, env, ct).ConfigureAwait(false);
        rows.Add(Row("env printer · hello_env.c", hello, NameOf,
            t => t.State == TaskState.Completed && Views.ResultText(t.Results).Contains("PROPLET_ID=", StringComparison.Ordinal)
                && Views.ResultText(t.Results).Contains("GREETING=hello from propeller", StringComparison.Ordinal),
            "expected its environment, incl. PROPLET_ID"));

        rows.Add(await RunWorkflowAsync(NameOf, ct).ConfigureAwait(false));

        var loop = await RunAndStopAsync(Example("loop", "loop.wat"), ct).ConfigureAwait(false);
        rows.Add(Row("endless loop · stopped", loop, NameOf,
            t => t.State == TaskState.Failed && (t.Error ?? "").Contains("cancelled", StringComparison.Ordinal), "expected a real stop"));
        return rows;
    }

    private string Example(string folder, string file) => Path.Combine(examplesDir, folder, file);

    private static DemoRow Row(string workload, TaskDto task, Func<string?, string> nameOf, Func<TaskDto, bool> ok, string expectation) =>
        new(workload, task.Id, nameOf(task.PropletId), task.State, task.Error is { Length: > 0 } error ? error : Views.ResultText(task.Results), ok(task), expectation);

    private async Task<Dictionary<string, string>> WaitForPropletsAsync(int expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var page = await client.ListPropletsAsync(0, 100, "active", ct).ConfigureAwait(false);
            if (page.Proplets.Count >= expected)
            {
                return page.Proplets.ToDictionary(p => p.Id, p => p.Name);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ManagerApiException(0, $"only {page.Proplets.Count} of {expected} proplets came alive within {TaskTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private async Task<TaskDto> CreateAsync(string name, string file, List<string>? inputs, Dictionary<string, string>? env, CancellationToken ct)
    {
        var wasm = await WasmFile.ReadAsync(new FileInfo(file), ct).ConfigureAwait(false);
        return await client.CreateTaskAsync(new TaskDto
        {
            Name = name,
            File = Convert.ToBase64String(wasm),
            Inputs = inputs,
            Env = env,
            Metadata = new Dictionary<string, JsonElement> { ["source"] = JsonSerializer.SerializeToElement("demo", Contracts.Serialization.PropellerJsonContext.Default.String) },
        }, ct).ConfigureAwait(false);
    }

    private async Task<TaskDto> RunToEndAsync(string name, string file, List<string>? inputs, Dictionary<string, string>? env, CancellationToken ct)
    {
        var task = await CreateAsync(name, file, inputs, env, ct).ConfigureAwait(false);
        await client.StartTaskAsync(task.Id, ct).ConfigureAwait(false);
        return await WaitForEndAsync(task.Id, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The same <c>add</c> delivered by URL: the proplet downloads it from a loopback web server instead of receiving
    /// the bytes inline in the start message.
    /// </summary>
    private async Task<DemoRow> RunOverHttpAsync(Func<string?, string> nameOf, CancellationToken ct)
    {
        var wasm = await WasmFile.ReadAsync(new FileInfo(Example("add", "add.wat")), ct).ConfigureAwait(false);
        await using var server = await DemoFileServer.StartAsync(new Dictionary<string, byte[]> { ["add.wasm"] = wasm }, ct).ConfigureAwait(false);
        var url = new Uri(server.BaseAddress, "add.wasm").ToString();
        var task = await client.CreateTaskAsync(new TaskDto { Name = "add", ImageUrl = url, Inputs = ["10", "20"] }, ct).ConfigureAwait(false);
        await client.StartTaskAsync(task.Id, ct).ConfigureAwait(false);
        var done = await WaitForEndAsync(task.Id, ct).ConfigureAwait(false);
        return Row("add(10,20) · over HTTP", done, nameOf, t => Views.ResultText(t.Results) == "30" && t.State == TaskState.Completed, "expected 30 from " + url);
    }

    /// <summary>
    /// A three-step workflow, <c>first → second → report</c>: one start runs the root, and each result starts the
    /// next step, which receives its parent's result in <c>parent_results</c>. The row is right when every step
    /// completed and each started only after its parent had finished.
    /// </summary>
    private async Task<DemoRow> RunWorkflowAsync(Func<string?, string> nameOf, CancellationToken ct)
    {
        var add = Convert.ToBase64String(await WasmFile.ReadAsync(new FileInfo(Example("add", "add.wat")), ct).ConfigureAwait(false));
        var hello = Convert.ToBase64String(await WasmFile.ReadAsync(new FileInfo(Example("hello-env", "hello_env.wasm")), ct).ConfigureAwait(false));
        var created = await client.CreateWorkflowAsync(new WorkflowRequest
        {
            Tasks =
            [
                new TaskDto { Id = "first", Name = "add", File = add, Inputs = ["1", "2"] },
                new TaskDto { Id = "second", Name = "add", File = add, Inputs = ["3", "4"], DependsOn = ["first"] },
                new TaskDto { Id = "report", Name = "_start", File = hello, DependsOn = ["second"], Env = new Dictionary<string, string> { ["GREETING"] = "workflow done" } },
            ],
        }, ct).ConfigureAwait(false);
        await client.StartWorkflowAsync(created.WorkflowId, ct).ConfigureAwait(false);

        var deadline = DateTime.UtcNow + TaskTimeout;
        var workflow = created;
        while (DateTime.UtcNow < deadline)
        {
            workflow = await client.GetWorkflowAsync(created.WorkflowId, ct).ConfigureAwait(false);
            if (workflow.Tasks.All(t => t.State is TaskState.Completed or TaskState.Failed or TaskState.Skipped or TaskState.Interrupted))
            {
                break;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        var steps = workflow.Tasks;
        var inOrder = steps.Count == 3 && steps.Zip(steps.Skip(1)).All(p => p.Second.StartTime >= p.First.FinishTime);
        var ok = steps.Count == 3 && steps.All(t => t.State == TaskState.Completed) && inOrder
            && Views.ResultText(steps[0].Results) == "3" && Views.ResultText(steps[1].Results) == "7";
        var summary = string.Join(" → ", steps.Select(t => t.State == TaskState.Completed ? Views.ResultText(t.Results).Split('\n')[0] : t.State.ToString()));
        return new DemoRow("workflow first → second → report", created.WorkflowId, string.Join(", ", steps.Select(t => nameOf(t.PropletId)).Distinct()),
            workflow.State, summary, ok, "expected 3 → 7 → report, each step after its parent");
    }

    /// <summary>
    /// A latent task: the start only deploys (precompiles) the component, then each invoke runs it once. The
    /// first invoke may overtake the deployment, which the proplet answers with "has not been precompiled".
    /// </summary>
    private async Task<DemoRow> DeployAndInvokeAsync(Func<string?, string> nameOf, CancellationToken ct)
    {
        var wasm = await WasmFile.ReadAsync(new FileInfo(Example("greet", "greet.wat")), ct).ConfigureAwait(false);
        var task = await client.CreateTaskAsync(new TaskDto { Name = "greet", File = Convert.ToBase64String(wasm), Latent = true }, ct).ConfigureAwait(false);
        await client.StartTaskAsync(task.Id, ct).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TaskTimeout;
        string results;
        while (true)
        {
            try
            {
                results = await client.InvokeTaskAsync(task.Id, new InvokeRequest { Inputs = ["\"latent\""] }, ct).ConfigureAwait(false);
                break;
            }
            catch (ManagerApiException e) when (e.Message.Contains("has not been precompiled", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }

        var deployed = await client.GetTaskAsync(task.Id, ct).ConfigureAwait(false);
        await client.StopTaskAsync(task.Id, ct).ConfigureAwait(false);
        return new DemoRow("greet · latent, then invoke", deployed.Id, nameOf(deployed.PropletId), deployed.State, results, results == "\"Hello, latent!\"", "expected \"Hello, latent!\" from the invoke");
    }

    private async Task<TaskDto> RunAndStopAsync(string file, CancellationToken ct)
    {
        var task = await CreateAsync("loop", file, null, null, ct).ConfigureAwait(false);
        await client.StartTaskAsync(task.Id, ct).ConfigureAwait(false);

        // Stop running Wasm, not a task still on its way: the proplet reports task metrics only once the guest
        // runs (a stop that overtook the start on a busy machine would be ignored and the loop would run on).
        var deadline = DateTime.UtcNow + TaskTimeout;
        while ((await client.GetTaskMetricsAsync(task.Id, 0, 1, ct).ConfigureAwait(false)).Total == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        await client.StopTaskAsync(task.Id, ct).ConfigureAwait(false);
        return await WaitForEndAsync(task.Id, ct).ConfigureAwait(false);
    }

    private async Task<TaskDto> WaitForEndAsync(string id, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var task = await client.GetTaskAsync(id, ct).ConfigureAwait(false);
            if (task.State is TaskState.Completed or TaskState.Failed or TaskState.Skipped or TaskState.Interrupted || DateTime.UtcNow > deadline)
            {
                return task;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>One line of the demo's table.</summary>
internal sealed record DemoRow(string Workload, string TaskId, string Proplet, TaskState State, string Result, bool AsExpected, string Expectation);
