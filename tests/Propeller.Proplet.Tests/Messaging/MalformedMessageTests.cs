using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Messaging;

public sealed class MalformedMessageTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_Malformed_IsLoggedAndThePropletKeepsWorking() =>
        await AssertMalformedAreDroppedAsync(
            "control/manager/start",
            "{not json",
            "",
            "[1,2,3]",
            "\"just a string\"",
            """{"id":5,"name":"add"}""",
            """{"id":"x","name":"add","file":123}""",
            """{"id":"x","name":"add","file":"AGFzbQ==","inputs":{"a":1}}""",
            """{"id":"x","name":"add","file":"AGFzbQ==","daemon":"yes"}""",
            """{"id":"x","name":"add","file":"AGFzbQ==","env":{"K":1}}""");

    [Fact]
    public async Task Stop_Malformed_IsLoggedAndThePropletKeepsWorking() =>
        await AssertMalformedAreDroppedAsync(
            "control/manager/stop",
            "{not json",
            "",
            "[\"x\"]",
            "42",
            """{"id":5}""",
            """{"id":"x","broadcast":"yes"}""");

    [Fact]
    public async Task Start_LargerThanMaxPacketSize_IsDropped()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output, new Dictionary<string, string>
        {
            ["PROPLET_MQTT_MAX_PACKET_SIZE"] = "1000",
        });

        await proplet.StartTaskAsync(Payloads.Start("big", "add", new byte[2000]));
        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Any(e => e.EventId.Id == EventIds.OversizedMessage), "the oversized start to be dropped");
        Assert.Equal("30", (await proplet.RunAddAsync("small")).Text("results"));

        Assert.Empty(proplet.Results("big"));
    }

    private async Task AssertMalformedAreDroppedAsync(string suffix, params string[] payloads)
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        foreach (var payload in payloads)
        {
            await proplet.PublishAsync(suffix, payload);
        }

        await Eventually.TrueAsync(
            () => proplet.Logs.Entries.Count(e => e.EventId.Id == EventIds.MalformedMessage) == payloads.Length,
            "every malformed message to be logged");
        Assert.Equal("30", (await proplet.RunAddAsync("afterwards")).Text("results"));
        Assert.Equal(["afterwards"], proplet.Messages("control/proplet/results").Select(m => m.Text("task_id")));
    }
}
