using System.Net;
using System.Net.Http.Json;
using Propeller.Contracts.Api;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.EndToEnd.Tests.Orchestration;

/// <summary>Manager plugins (<c>MANAGER_PLUGIN_DIR</c>) in the whole system: their decisions reach the REST client and the guest.</summary>
public sealed class PluginTests(ITestOutputHelper output)
{
    private static readonly PropellerJsonContext Json = PropellerJsonContext.Default;

    [Fact]
    public async Task Start_EnrichPlugin_ItsEnvReachesTheGuest()
    {
        var plugins = PluginDirectory();
        await using var env = await PropellerTestEnvironment.StartAsync(
            output, proplets: 1, managerEnvironment: new Dictionary<string, string> { ["MANAGER_PLUGIN_DIR"] = plugins });
        var task = await env.CreateTaskAsync(new TaskDto
        {
            Name = "_start",
            File = Convert.ToBase64String(await File.ReadAllBytesAsync(RepoPaths.Example("hello-env", "hello_env.wasm"))),
            Env = new Dictionary<string, string> { ["GREETING"] = "hello" },
        });
        Assert.Equal("yes", task.Env!["PLUGIN_ENRICHED"]);

        using var start = await env.Http.PostAsync($"tasks/{task.Id}/start", null);
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var done = await env.WaitForTerminalAsync(task.Id);

        Assert.Equal(TaskState.Completed, done.State);
        var printed = done.Results!.Value.GetString()!;
        Assert.Contains("PLUGIN_ENRICHED=yes", printed, StringComparison.Ordinal);
        Assert.Contains("GREETING=hello", printed, StringComparison.Ordinal);
        Assert.Contains(env.Logs.Entries, e => e.Message == "Plugin enrich-env: enrich-env: added PLUGIN_ENRICHED=yes");
    }

    [Fact]
    public async Task Create_DenyPlugin_Returns403WithTheReason()
    {
        var plugins = PluginDirectory();
        await using var env = await PropellerTestEnvironment.StartAsync(
            output, proplets: 1, managerEnvironment: new Dictionary<string, string> { ["MANAGER_PLUGIN_DIR"] = plugins });

        using var response = await env.Http.PostAsJsonAsync("tasks", new TaskDto { Name = "forbidden-miner" }, Json.TaskDto);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("""{"error":"name is forbidden by policy"}""", await response.Content.ReadAsStringAsync());
    }

    private static string PluginDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("propeller-e2e-plugins-").FullName;
        File.WriteAllBytes(Path.Combine(directory, "deny-forbidden.wasm"), PropellerTestEnvironment.Wat("plugins", "deny-forbidden.wat"));
        File.WriteAllBytes(Path.Combine(directory, "enrich-env.wasm"), PropellerTestEnvironment.Wat("plugins", "enrich-env.wat"));
        return directory;
    }
}
