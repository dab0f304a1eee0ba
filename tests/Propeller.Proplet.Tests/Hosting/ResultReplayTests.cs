using Propeller.Proplet.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

/// <summary>A (re)started manager's discover request makes the proplet send its recent results again.</summary>
public sealed class ResultReplayTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task DiscoverRequest_AfterATaskFinished_ReplaysItsResultMarkedReplayed()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        await proplet.StartTaskAsync(Payloads.Start("done", "add", ExampleWasm.Add, inputs: ["10", "20"]));
        var original = await proplet.ResultAsync("done");
        Assert.False(original.Payload.TryGetProperty("replayed", out _));

        await proplet.PublishAsync("control/manager/discover", """{"manager_id":"restarted"}""");

        var replayed = await proplet.WaitForAsync(
            "control/proplet/results", m => m.Text("task_id") == "done" && m.Payload.TryGetProperty("replayed", out var r) && r.GetBoolean());
        Assert.Equal("30", replayed.Text("results"));
        Assert.Equal(proplet.PropletId, replayed.Text("proplet_id"));
        Assert.True(replayed.Payload.GetProperty("finished_at").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
    }
}
