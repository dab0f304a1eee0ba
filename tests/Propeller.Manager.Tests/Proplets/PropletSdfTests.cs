using System.Net;
using System.Text.Json.Nodes;
using Propeller.Contracts.Topics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Proplets;

public sealed class PropletSdfTests(ITestOutputHelper output)
{
    private static readonly Proplet Sample = new() { Id = "5f1f0b1e-8a35-4d8e-9b52-2f3b4f3f8a11", Name = "Morgan-Riley" };

    private static JsonObject Thing(JsonObject document) => document["sdfThing"]!["Proplet"]!.AsObject();

    [Fact]
    public void Describe_InfoNamesTheProplet()
    {
        var document = PropletSdf.Describe(Sample, new TopicBuilder("t", "c"));

        Assert.Equal($"Propeller Proplet: Morgan-Riley ({Sample.Id})", document["info"]!["title"]!.GetValue<string>());
        Assert.Equal("1.0", document["info"]!["version"]!.GetValue<string>());
        Assert.Equal("Apache-2.0", document["info"]!["license"]!.GetValue<string>());
    }

    [Fact]
    public void Describe_HasTheRequiredPropertiesActionsEventsAndData()
    {
        var thing = Thing(PropletSdf.Describe(Sample, new TopicBuilder("t", "c")));

        Assert.Equal(["id", "name", "alive", "task_count", "metadata"], thing["sdfProperty"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["start_task", "stop_task"], thing["sdfAction"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["heartbeat", "task_result"], thing["sdfEvent"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["PropletMetadata", "TaskDispatch", "TaskStop", "HeartbeatPayload", "TaskResult"], thing["sdfData"]!.AsObject().Select(p => p.Key));
        Assert.True(thing["sdfProperty"]!["alive"]!["observable"]!.GetValue<bool>());
        Assert.True(thing["sdfProperty"]!["task_count"]!["observable"]!.GetValue<bool>());
        Assert.Equal("#/sdfThing/Proplet/sdfData/PropletMetadata", thing["sdfProperty"]!["metadata"]!["sdfRef"]!.GetValue<string>());
        Assert.Equal(["id", "name"], thing["sdfData"]!["TaskDispatch"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["id"], thing["sdfData"]!["TaskStop"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public void Describe_TaskResultStateCoversTheTerminalStates()
    {
        var thing = Thing(PropletSdf.Describe(Sample, new TopicBuilder("t", "c")));

        var states = thing["sdfData"]!["TaskResult"]!["properties"]!["state"]!["enum"]!.AsArray().Select(s => s!.GetValue<string>());

        Assert.Equal(["Completed", "Failed", "Skipped", "Interrupted"], states);
    }

    [Fact]
    public void Describe_MinimumValuesAreSeparateNodes()
    {
        var thing = Thing(PropletSdf.Describe(Sample, new TopicBuilder("t", "c")));
        var taskCount = thing["sdfProperty"]!["task_count"]!.AsObject();
        var memory = thing["sdfData"]!["PropletMetadata"]!["properties"]!["total_memory_bytes"]!.AsObject();

        taskCount["minimum"] = 5;

        Assert.Equal(0, memory["minimum"]!.GetValue<int>());
        Assert.NotSame(taskCount, memory);
    }

    [Fact]
    public void Describe_ActionsNameTheirTopics()
    {
        var thing = Thing(PropletSdf.Describe(Sample, new TopicBuilder("t1", "c1")));

        Assert.Contains("m/t1/c/c1/control/manager/start", thing["sdfAction"]!["start_task"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("m/t1/c/c1/control/proplet/results", thing["sdfEvent"]!["task_result"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSdf_KnownProplet_Returns200WithTheTitle()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        var proplet = await host.AddPropletAsync();

        var document = await (await host.Http.GetAsync($"proplets/{proplet.Id}/sdf")).ReadJsonAsync();

        Assert.Contains(proplet.Id, document["info"]!["title"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("proplets/not-a-valid-uuid/sdf", HttpStatusCode.BadRequest)]
    [InlineData("proplets//sdf", HttpStatusCode.BadRequest)]
    [InlineData("proplets/7e9a7a36-1f49-4b9e-9a5a-7fd0d0a1c0de/sdf", HttpStatusCode.NotFound)]
    public async Task GetSdf_BadOrUnknownId_ReturnsError(string path, HttpStatusCode expected)
    {
        await using var host = await ManagerTestHost.StartAsync(output);

        await (await host.Http.GetAsync(path)).ReadErrorAsync(expected);
    }
}
