using Propeller.Proplet.Runtimes;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Tasks;

/// <summary>The proplet announces <c>direct_control</c> and takes starts and stops on its own topics too.</summary>
public sealed class DirectControlTests(MosquittoBroker broker, ITestOutputHelper output) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Discovery_AnnouncesDirectControl()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);

        var discovery = Assert.Single(proplet.Messages("control/proplet/create")).Payload;

        Assert.True(discovery.GetProperty("direct_control").GetBoolean());
    }

    [Fact]
    public async Task StartAndStop_OnItsOwnTopics_RunAndStopTheTask()
    {
        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var runtime = proplet.Service<WasmtimeCoreRuntime>();

        await proplet.PublishAsync(
            $"control/manager/start/{proplet.PropletId}",
            Payloads.Start("direct-add", "add", ExampleWasm.Add, inputs: ["\"10\"", "\"20\""], propletId: proplet.PropletId));
        Assert.Equal("30", (await proplet.ResultAsync("direct-add")).Text("results"));

        await proplet.PublishAsync(
            $"control/manager/start/{proplet.PropletId}",
            Payloads.Start("direct-spin", "loop", ExampleWasm.Loop, propletId: proplet.PropletId));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the guest to run");
        await proplet.PublishAsync(
            $"control/manager/stop/{proplet.PropletId}",
            $$"""{"id":"direct-spin","broadcast":false,"proplet_id":"{{proplet.PropletId}}"}""");

        Assert.Equal("Task was cancelled or panicked", (await proplet.ResultAsync("direct-spin")).Text("error"));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the guest thread to end");
    }
}
