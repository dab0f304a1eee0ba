using System.Text.Json;
using Microsoft.Extensions.Logging;
using Propeller.Cli.Hosts;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Cli.Tests.Commands;

/// <summary><c>propeller workflows ...</c> and <c>propeller jobs ...</c>: file handling, and against a live dev stack.</summary>
public sealed class GraphCommandsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("propeller-graph-cli-").FullName;

    [Fact]
    public async Task WorkflowsCreate_MissingFile_ExitsOneWithoutCallingTheManager()
    {
        var (exit, _, error) = await RunAsync("workflows", "create", Path.Combine(_dir, "absent.json"), "--manager-url", "http://127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"not a list"}""", "must hold a JSON array of tasks")]
    [InlineData("""[{"name":"x"}""", "is not valid task JSON")]
    [InlineData("""[null]""", "a task is null")]
    public async Task WorkflowsCreate_FileNotAListOfTasks_ExitsOne(string json, string reason)
    {
        var file = Write("graph.json", json);

        var (exit, _, error) = await RunAsync("workflows", "create", file, "--manager-url", "http://127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsCreate_WasmForAnUnknownTask_ExitsOne()
    {
        var file = Write("job.json", """[{"id":"a","name":"add"}]""");

        var (exit, _, error) = await RunAsync("jobs", "create", file, "--wasm", "nobody=add.wasm", "--manager-url", "http://127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains("no task has the id or name 'nobody'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobsCreate_UnknownMode_IsAUsageError()
    {
        var file = Write("job.json", """[{"name":"add"}]""");

        var (exit, _, _) = await RunAsync("jobs", "create", file, "--mode", "random", "--manager-url", "http://127.0.0.1:1");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Commands_AgainstALiveManager_CreateStartViewListStop()
    {
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        using var loggerFactory = LoggerFactory.Create(builder => Logging(builder, logs));
        await using var stack = await StartStackAsync(loggerFactory, logs);
        var url = stack.ManagerUrl.ToString();
        File.Copy(RepoPaths.Example("add", "add.wat"), Path.Combine(_dir, "add.wat"));
        var graph = Write("workflow.json", """
            {"tasks":[{"id":"first","name":"add","inputs":["1","2"]},{"id":"second","name":"add","inputs":["3","4"],"depends_on":["first"]}]}
            """);

        var workflow = await RunJsonAsync("workflows", "create", graph, "--wasm", "add=add.wat", "--manager-url", url);
        var workflowId = workflow.GetProperty("workflow_id").GetString()!;
        var started = await RunJsonAsync("workflows", "start", workflowId, "--manager-url", url);
        Assert.Equal(1, started.GetProperty("started").GetArrayLength());
        await Eventually.TrueAsync(
            async () => (await RunJsonAsync("workflows", "view", workflowId, "--manager-url", url)).GetProperty("state").GetInt32() == 3,
            "the workflow to complete");
        var table = await RunAsync("workflows", "view", workflowId, "--manager-url", url);
        Assert.Contains("Completed", table.Output, StringComparison.Ordinal);

        var jobFile = Write("job.json", """{"name":"nightly","tasks":[{"name":"add","inputs":["5","6"]}]}""");
        var job = await RunJsonAsync("jobs", "create", jobFile, "--mode", "sequential", "--wasm", "add=add.wat", "--manager-url", url);
        var jobId = job.GetProperty("job_id").GetString()!;
        Assert.Equal("nightly", job.GetProperty("name").GetString());
        Assert.Equal("sequential", job.GetProperty("execution_mode").GetString());
        Assert.Equal("job started", (await RunJsonAsync("jobs", "start", jobId, "--manager-url", url)).GetProperty("message").GetString());
        await Eventually.TrueAsync(
            async () => (await RunJsonAsync("jobs", "view", jobId, "--manager-url", url)).GetProperty("state").GetInt32() == 3,
            "the job to complete");
        var completed = await RunJsonAsync("jobs", "list", "--status", "completed", "--manager-url", url);
        Assert.Equal(1, completed.GetProperty("total").GetInt32());
        var list = await RunAsync("jobs", "list", "--manager-url", url);
        Assert.Contains("nightly", list.Output, StringComparison.Ordinal);
        Assert.Equal("job stopped", (await RunJsonAsync("jobs", "stop", jobId, "--manager-url", url)).GetProperty("message").GetString());

        var again = await RunAsync("jobs", "start", jobId, "--manager-url", url);
        Assert.Equal(1, again.Exit);
        Assert.Contains("409", again.Error, StringComparison.Ordinal);
        var unknown = await RunAsync("jobs", "view", "no-such-job", "--manager-url", url);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("404", unknown.Error, StringComparison.Ordinal);
        var badStatus = await RunAsync("jobs", "list", "--status", "sideways", "--manager-url", url);
        Assert.Equal(1, badStatus.Exit);
        Assert.Contains("invalid job status", badStatus.Error, StringComparison.Ordinal);
        await stack.DisposeAsync();
        logs.AssertNoUnexpectedErrors();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Logging(ILoggingBuilder builder, CapturingLoggerProvider logs)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(LogLevel.Information);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("MQTTnet", LogLevel.Warning);
        builder.AddProvider(logs);
    }

    private async Task<DevStack> StartStackAsync(ILoggerFactory loggerFactory, CapturingLoggerProvider logs)
    {
        var options = new DevStackOptions
        {
            DataDir = Path.Combine(_dir, "stack"),
            Proplets = 1,
            MqttPort = 0,
            HttpPort = 0,
            ProxyHttpPort = 0,
            LivelinessIntervalSeconds = 1,
        };
        var stack = await DevStack.StartAsync(options, loggerFactory, builder => Logging(builder, logs), CancellationToken.None);
        await Eventually.TrueAsync(
            async () => (await RunJsonAsync("proplets", "list", "--manager-url", stack.ManagerUrl.ToString())).GetProperty("total").GetInt32() == 1,
            "the proplet to register");
        return stack;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var (exit, text, error) = await RunAsync([.. args, "--json"]);
        Assert.True(exit == 0, $"propeller {string.Join(' ', args)} exited {exit}: {error}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
