using System.Text.Json;
using Propeller.Proplet.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class HeartbeatTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    private static readonly Dictionary<string, string> EverySecond = new() { ["PROPLET_LIVELINESS_INTERVAL"] = "1" };

    [Fact]
    public async Task Heartbeat_IntervalOneSecond_RepeatsWithTheOriginalShape()
    {
        var startedAt = DateTimeOffset.UtcNow;
        await using var proplet = await PropletHarness.StartAsync(broker, output, EverySecond);

        await Testing.Eventually.TrueAsync(() => proplet.Messages("control/proplet/alive").Count >= 4, "four heartbeats");

        var beats = proplet.Messages("control/proplet/alive");
        foreach (var beat in beats)
        {
            Assert.Equal(
                ["namespace", "proplet_id", "status"],
                beat.Payload.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(proplet.PropletId, beat.Text("proplet_id"));
            Assert.Equal("alive", beat.Text("status"));
            Assert.Equal("default", beat.Text("namespace"));
        }

        // The first beat goes out on connect and a periodic timer started after the test began paces the rest, so
        // the fourth cannot be sent before three periods have passed. Delivery delays only make it later, so
        // this bound holds on a loaded machine and fails only if the timer fires early.
        Assert.True(
            beats[3].ReceivedAt - startedAt >= TimeSpan.FromSeconds(2.95),
            $"fourth heartbeat after {(beats[3].ReceivedAt - startedAt).TotalSeconds:F2} s");
    }

    [Fact]
    public async Task Heartbeat_IntervalZero_SendsNone()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            ["PROPLET_LIVELINESS_INTERVAL"] = "0",
            ["PROPLET_METRICS_INTERVAL"] = "1",
        });

        await Testing.Eventually.TrueAsync(() => proplet.Messages("control/proplet/metrics").Count >= 2, "two metrics messages");
        Assert.Empty(proplet.Messages("control/proplet/alive"));
    }

    [Fact]
    public async Task Will_ConnectionAborted_BrokerPublishesOffline()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.AbortConnectionAsync();

        var will = await proplet.WaitForAsync("control/proplet/alive", m => m.Text("status") == "offline");
        Assert.Equal(proplet.PropletId, will.Text("proplet_id"));
        Assert.Equal("default", will.Text("namespace"));
    }

    [Fact]
    public async Task Shutdown_Clean_PublishesOfflineNotice()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StopHostAsync();

        var offline = await proplet.WaitForAsync("control/proplet/alive", m => m.Text("status") == "offline");
        Assert.Equal(proplet.PropletId, offline.Text("proplet_id"));
        Assert.Equal(JsonValueKind.String, offline.Payload.GetProperty("namespace").ValueKind);
    }
}
