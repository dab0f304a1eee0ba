using System.Text.Json;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class DiscoveryTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_Announces_OnceWithHostMetadata()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            ["PROPLET_DESCRIPTION"] = "bench unit",
            ["PROPLET_TAGS"] = "gpu, lab",
            ["PROPLET_LOCATION"] = "rack 4",
        });

        var discovery = Assert.Single(proplet.Messages("control/proplet/create")).Payload;
        Assert.Equal(proplet.PropletId, discovery.GetProperty("proplet_id").GetString());
        Assert.Equal("default", discovery.GetProperty("namespace").GetString());
        var metadata = discovery.GetProperty("metadata");
        Assert.Equal("wasmtime-internal", metadata.GetProperty("wasm_runtime").GetString());
        Assert.Equal("0.1.0", metadata.GetProperty("proplet_version").GetString());
        Assert.Equal("linux", metadata.GetProperty("os").GetString());
        Assert.False(string.IsNullOrEmpty(metadata.GetProperty("cpu_arch").GetString()));
        Assert.False(string.IsNullOrEmpty(metadata.GetProperty("hostname").GetString()));
        Assert.True(metadata.GetProperty("total_memory_bytes").GetUInt64() > 0);
        Assert.Contains(metadata.GetProperty("environment").GetString(), new[] { "docker", "binary" });
        Assert.Equal("bench unit", metadata.GetProperty("description").GetString());
        Assert.Equal(["gpu", "lab"], metadata.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("rack 4", metadata.GetProperty("location").GetString());
    }

    [Fact]
    public async Task Start_SystemInfoOff_LeavesHostDetailsOut()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            ["PROPLET_COLLECT_SYSTEM_INFO"] = "false",
            ["PROPLET_MANAGER_K8S_NAMESPACE"] = "edge",
        });

        var discovery = Assert.Single(proplet.Messages("control/proplet/create")).Payload;
        Assert.Equal("edge", discovery.GetProperty("namespace").GetString());
        var metadata = discovery.GetProperty("metadata");
        Assert.False(metadata.TryGetProperty("ip", out _));
        Assert.False(metadata.TryGetProperty("hostname", out _));
        Assert.Equal("", metadata.GetProperty("os").GetString());
        Assert.Equal("", metadata.GetProperty("cpu_arch").GetString());
        Assert.Equal("wasmtime-internal", metadata.GetProperty("wasm_runtime").GetString());
    }

    [Fact]
    public async Task Reconnect_AfterBrokerRestart_AnnouncesAgainAndStillRunsTasks()
    {
        await using var ownBroker = new MosquittoBroker();
        await ownBroker.InitializeAsync();
        await using var proplet = await PropletHarness.StartAsync(ownBroker, output);

        await ownBroker.RestartAsync();

        // The test manager reconnects too and may miss the message itself, so count what the proplet sent.
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Count(e => e.EventId.Id == EventIds.DiscoveryPublished) >= 2,
            "a second discovery",
            TimeSpan.FromSeconds(30));
        Assert.Equal(2, proplet.Service<PropletMetrics>().MqttConnects);
        var result = await proplet.RunAddAsync("after-restart");
        Assert.Equal("30", result.Text("results"));
        Assert.Equal(JsonValueKind.Null, result.Payload.GetProperty("error").ValueKind);
    }
}
