using System.Text.Json;
using Propeller.Cli;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests;

/// <summary>The client commands of <c>propeller</c> against a live manager.</summary>
public sealed class CliCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TaskCommands_CreateStartResultsListDelete_WorkAgainstALiveManager()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output);
        var url = env.Stack.ManagerUrl.ToString();

        var created = await RunJsonAsync("tasks", "create", "add", "--file", RepoPaths.Example("add", "add.wat"), "--inputs", "10,20", "--metadata", "team=edge", "--manager-url", url);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("add", created.GetProperty("name").GetString());
        Assert.Contains("<REDACTED>", created.GetProperty("file").GetString(), StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("tasks", "start", id, "--manager-url", url)).Exit);
        await env.WaitForTerminalAsync(id);
        var results = await RunAsync("tasks", "results", id, "--manager-url", url);
        Assert.Equal("30", results.Output.Trim());

        var list = await RunJsonAsync("tasks", "list", "--metadata", "team=edge", "--manager-url", url);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        var table = await RunAsync("tasks", "list", "--manager-url", url);
        Assert.Contains(id, table.Output, StringComparison.Ordinal);
        Assert.Contains("Completed", table.Output, StringComparison.Ordinal);

        var proplets = await RunJsonAsync("proplets", "list", "--manager-url", url);
        Assert.Equal(2, proplets.GetProperty("total").GetInt32());
        var health = await RunJsonAsync("health", "--manager-url", url);
        Assert.Equal("pass", health.GetProperty("status").GetString());

        Assert.Equal(0, (await RunAsync("tasks", "delete", id, "--manager-url", url)).Exit);
        var gone = await RunAsync("tasks", "view", id, "--manager-url", url);
        Assert.Equal(1, gone.Exit);
        Assert.Contains("404", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAndUpload_ChangeInputsAndBinary_TheNextRunUsesThem()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var url = env.Stack.ManagerUrl.ToString();
        var created = await RunJsonAsync("tasks", "create", "add", "--manager-url", url);
        var id = created.GetProperty("id").GetString()!;

        var uploaded = await RunJsonAsync("tasks", "upload", id, RepoPaths.Example("add", "add.wat"), "--manager-url", url);
        Assert.StartsWith("AGFzbQ", uploaded.GetProperty("file").GetString(), StringComparison.Ordinal);
        var updated = await RunJsonAsync("tasks", "update", id, "--inputs", "4,5", "--metadata", "stage=two", "--manager-url", url);
        Assert.Equal(["4", "5"], updated.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(0, (await RunAsync("tasks", "start", id, "--manager-url", url)).Exit);
        var done = await env.WaitForTerminalAsync(id);
        Assert.Equal("9", done.Results!.Value.GetString());

        var notWasm = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.wasm");
        await File.WriteAllTextAsync(notWasm, "definitely not wasm");
        try
        {
            var refused = await RunAsync("tasks", "upload", id, notWasm, "--manager-url", url);
            Assert.Equal(1, refused.Exit);
            Assert.Contains("400", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notWasm);
        }
    }

    [Fact]
    public async Task PropletCommands_ViewHistoryAndMetrics_ShowTheLiveProplet()
    {
        await using var env = await PropellerTestEnvironment.StartAsync(output, proplets: 1);
        var url = env.Stack.ManagerUrl.ToString();
        var id = env.Stack.PropletIds[0];

        var view = await RunJsonAsync("proplets", "view", id, "--manager-url", url);
        Assert.True(view.GetProperty("alive").GetBoolean());
        await Eventually.TrueAsync(async () => (await RunJsonAsync("proplets", "alive-history", id, "--manager-url", url)).GetProperty("total").GetInt32() >= 2, "heartbeats in the history");
        await Eventually.TrueAsync(async () => (await RunJsonAsync("proplets", "metrics", id, "--manager-url", url)).GetProperty("total").GetInt32() >= 1, "system metrics");

        var busyDelete = await RunAsync("proplets", "delete", Guid.NewGuid().ToString(), "--manager-url", url);
        Assert.Equal(1, busyDelete.Exit);
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
