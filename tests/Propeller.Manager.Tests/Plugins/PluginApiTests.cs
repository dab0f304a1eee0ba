using System.Net;
using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Plugins;

/// <summary>Plugins through the REST API: refusals are 403 with the plugin's reason (DECISIONS §4 Manager 3).</summary>
public sealed class PluginApiTests(ITestOutputHelper output)
{
    private static readonly PropellerTask Forbidden = new() { Id = Guid.NewGuid().ToString(), Name = "forbidden-seeded", State = TaskState.Running };

    [Fact]
    public async Task Create_NameRefusedByPlugin_Returns403WithItsReasonAndStoresNothing()
    {
        var plugins = PluginWat.Directory(("deny-forbidden.wasm", PluginWat.Example("deny-forbidden.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });

        var error = await (await host.Http.PostJsonAsync("tasks", """{"name":"forbidden-miner"}""")).ReadErrorAsync(HttpStatusCode.Forbidden);

        Assert.Equal("name is forbidden by policy", error);
        var page = await (await host.Http.GetAsync("tasks")).ReadJsonAsync();
        Assert.Equal(0, page["total"]!.GetValue<int>());
        await host.Http.CreateTaskAsync("""{"name":"allowed"}""");
    }

    [Theory]
    [InlineData("workflows")]
    [InlineData("jobs")]
    public async Task CreateGraph_OneTaskRefused_Returns403AndStoresNoTask(string route)
    {
        var plugins = PluginWat.Directory(("deny-forbidden.wasm", PluginWat.Example("deny-forbidden.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });

        var error = await (await host.Http.PostJsonAsync(route, """{"tasks":[{"id":"a","name":"fine"},{"id":"b","name":"forbidden-child","depends_on":["a"]}]}"""))
            .ReadErrorAsync(HttpStatusCode.Forbidden);

        Assert.Equal("name is forbidden by policy", error);
        var page = await (await host.Http.GetAsync("tasks")).ReadJsonAsync();
        Assert.Equal(0, page["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task CreateWorkflow_EnrichPlugin_AddsItsEnvToEveryTask()
    {
        var plugins = PluginWat.Directory(("enrich-env.wasm", PluginWat.Example("enrich-env.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });

        var workflow = await (await host.Http.PostJsonAsync("workflows", """{"tasks":[{"id":"a","name":"first"},{"id":"b","name":"second","depends_on":["a"]}]}""")).ReadJsonAsync(HttpStatusCode.Created);

        var tasks = workflow["tasks"]!.AsArray();
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("yes", t!["env"]!["PLUGIN_ENRICHED"]!.GetValue<string>()));
    }

    [Fact]
    public async Task StartStopDeleteUpdate_OfRefusedTask_Return403()
    {
        var plugins = PluginWat.Directory(("deny-forbidden.wasm", PluginWat.Example("deny-forbidden.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins }, seed: store => store.Tasks.CreateAsync(Forbidden, CancellationToken.None));

        Assert.Equal("name is forbidden by policy", await (await host.Http.PostAsync($"tasks/{Forbidden.Id}/start", null)).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal("name is forbidden by policy", await (await host.Http.PostAsync($"tasks/{Forbidden.Id}/stop", null)).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal("name is forbidden by policy", await (await host.Http.PostAsync($"tasks/{Forbidden.Id}/invoke", null)).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal("name is forbidden by policy", await (await host.Http.DeleteAsync($"tasks/{Forbidden.Id}")).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal("name is forbidden by policy", await (await host.Http.PutJsonAsync($"tasks/{Forbidden.Id}", """{"priority":9}""")).ReadErrorAsync(HttpStatusCode.Forbidden));
        Assert.Equal(TaskState.Running, (await host.GetTaskAsync(Forbidden.Id))!.State);
    }

    [Fact]
    public async Task Update_RenamingToARefusedName_Returns403()
    {
        var plugins = PluginWat.Directory(("deny-forbidden.wasm", PluginWat.Example("deny-forbidden.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });
        var id = (await host.Http.CreateTaskAsync("""{"name":"fine"}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PutJsonAsync($"tasks/{id}", """{"name":"forbidden-now"}""")).ReadErrorAsync(HttpStatusCode.Forbidden);

        Assert.Equal("name is forbidden by policy", error);
        Assert.Equal("fine", (await host.GetTaskAsync(id))!.Name);
    }

    [Fact]
    public async Task Create_EnrichPlugin_AddsItsEnvToTheStoredTask()
    {
        var plugins = PluginWat.Directory(("enrich-env.wasm", PluginWat.Example("enrich-env.wat")));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });

        var task = await host.Http.CreateTaskAsync("""{"name":"t","env":{"OWN":"1"}}""");

        Assert.Equal("yes", task["env"]!["PLUGIN_ENRICHED"]!.GetValue<string>());
        Assert.Equal("1", task["env"]!["OWN"]!.GetValue<string>());
        var stored = await host.GetTaskAsync(task["id"]!.GetValue<string>());
        Assert.Equal("yes", stored!.Env!["PLUGIN_ENRICHED"]);
    }

    [Fact]
    public async Task Start_SelectAndDispatchHooks_PlaceOnATaggedPropletAndPersistExtraEnv()
    {
        var wasm = PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string>
        {
            ["on_before_proplet_select"] = """{"allow":true,"required_tags":["gpu"],"min_memory_bytes":1024}""",
            ["on_before_dispatch"] = """{"allow":true,"extra_env":{"ZONE":"eu"}}""",
        }));
        var plugins = PluginWat.Directory(("placement.wasm", wasm));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var gpu = await AddPropletAsync(host, ["gpu"], 4096);
        await AddPropletAsync(host, ["gpu"], 512);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","image_url":"oci://x"}"""))["id"]!.GetValue<string>();

        for (var run = 0; run < 3; run++)
        {
            await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadJsonAsync();
            var task = (await host.GetTaskAsync(id))!;
            Assert.Equal(gpu.Id, task.PropletId);
            Assert.Equal("eu", task.Env!["ZONE"]);
            await (await host.Http.PostAsync($"tasks/{id}/stop", null)).ReadJsonAsync();
        }
    }

    [Fact]
    public async Task Start_NoPropletMeetsPluginConstraints_Returns409()
    {
        var wasm = PluginWat.Compile(PluginWat.Answering(new Dictionary<string, string>
        {
            ["on_before_proplet_select"] = """{"allow":true,"required_tags":["gpu"]}""",
        }));
        var plugins = PluginWat.Directory(("placement.wasm", wasm));
        await using var host = await ManagerTestHost.StartAsync(output, o => o with { PluginDir = plugins });
        await host.AddPropletAsync(age: TimeSpan.Zero);
        var id = (await host.Http.CreateTaskAsync("""{"name":"t","image_url":"oci://x"}"""))["id"]!.GetValue<string>();

        var error = await (await host.Http.PostAsync($"tasks/{id}/start", null)).ReadErrorAsync(HttpStatusCode.Conflict);

        Assert.Contains("gpu", error, StringComparison.Ordinal);
    }

    private static async Task<Proplet> AddPropletAsync(ManagerTestHost host, List<string> tags, ulong memory)
    {
        var proplet = new Proplet
        {
            Id = Guid.NewGuid().ToString(),
            Name = PropletNames.Next(),
            Metadata = new PropletMetadata { Tags = tags, TotalMemoryBytes = memory },
        };
        await host.Store.Proplets.CreateAsync(proplet, CancellationToken.None);
        await host.Store.Proplets.RecordHeartbeatAsync(proplet.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        return proplet;
    }
}
