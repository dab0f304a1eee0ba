using Propeller.Contracts.Topics;
using Propeller.Manager.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Manager.Tests.Tasks;

/// <summary>
/// A start or stop for one proplet that announced <c>direct_control</c> goes to its own topic; an original proplet,
/// and every broadcast, still use the channel-wide topic.
/// </summary>
public sealed class DirectControlTests(ITestOutputHelper output)
{
    private const string Start = TopicSuffixes.ManagerStart;
    private const string Stop = TopicSuffixes.ManagerStop;

    [Fact]
    public async Task StartAndStop_PropletAnnouncedDirectControl_GoToItsOwnTopicsOnly()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = await AnnounceAsync(host, probe, """ "direct_control":true """);
        var created = await host.Http.CreateTaskAsync("""{"name":"spin"}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();
        var start = await probe.WaitForAsync($"{Start}/{id}");
        await (await host.Http.PostAsync($"tasks/{created["id"]}/stop", null)).ReadJsonAsync();
        var stop = await probe.WaitForAsync($"{Stop}/{id}");

        Assert.Equal(created["id"]!.GetValue<string>(), start["id"]!.GetValue<string>());
        Assert.Equal(id, start["proplet_id"]!.GetValue<string>());
        Assert.Equal(created["id"]!.GetValue<string>(), stop["id"]!.GetValue<string>());
        Assert.Empty(probe.Messages(Start));
        Assert.Empty(probe.Messages(Stop));
    }

    [Fact]
    public async Task Start_OriginalPropletWithoutTheField_UsesTheChannelWideTopic()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = await AnnounceAsync(host, probe, extra: null);
        var created = await host.Http.CreateTaskAsync("""{"name":"add"}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();

        Assert.Equal(id, (await probe.WaitForAsync(Start))["proplet_id"]!.GetValue<string>());
        Assert.Empty(probe.Messages($"{Start}/{id}"));
    }

    [Fact]
    public async Task Start_PropletReannouncedWithoutDirectControl_FallsBackToTheChannelWideTopic()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = await AnnounceAsync(host, probe, """ "direct_control":true """);
        await probe.PublishAsync(
            TopicSuffixes.PropletCreate,
            $$$"""{"proplet_id":"{{{id}}}","namespace":"default","metadata":{"description":"original"}}""");
        await Eventually.TrueAsync(
            async () => (await host.GetPropletAsync(id))?.Metadata?.Description == "original", "the second discovery");
        var created = await host.Http.CreateTaskAsync("""{"name":"add"}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();

        Assert.Equal(id, (await probe.WaitForAsync(Start))["proplet_id"]!.GetValue<string>());
        Assert.Empty(probe.Messages($"{Start}/{id}"));
    }

    [Fact]
    public async Task Start_Broadcast_StaysOnTheChannelWideTopicForDirectProplets()
    {
        await using var host = await ManagerTestHost.StartAsync(output);
        await using var probe = await host.ConnectProbeAsync();
        var id = await AnnounceAsync(host, probe, """ "direct_control":true """);
        var created = await host.Http.CreateTaskAsync("""{"name":"everywhere","broadcast":true}""");

        await (await host.Http.PostAsync($"tasks/{created["id"]}/start", null)).ReadJsonAsync();

        Assert.True((await probe.WaitForAsync(Start))["broadcast"]!.GetValue<bool>());
        Assert.Empty(probe.Messages($"{Start}/{id}"));
    }

    // Discovery and a heartbeat through the broker, as a proplet sends them; returns once the manager lists it alive.
    private static async Task<string> AnnounceAsync(ManagerTestHost host, MqttProbe probe, string? extra)
    {
        var id = Guid.NewGuid().ToString();
        var field = extra is null ? "" : "," + extra.Trim();
        await probe.PublishAsync(TopicSuffixes.PropletCreate, $$"""{"proplet_id":"{{id}}","namespace":"default"{{field}}}""");
        await probe.PublishAsync(TopicSuffixes.PropletAlive, $$"""{"proplet_id":"{{id}}","status":"alive","namespace":"default"}""");
        await Eventually.TrueAsync(async () => (await host.GetPropletAsync(id))?.IsAlive(DateTimeOffset.UtcNow) == true, $"proplet {id} to be alive");
        return id;
    }
}
