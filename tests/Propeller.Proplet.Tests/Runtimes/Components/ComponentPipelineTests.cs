using System.Text.Json;
using Propeller.Proplet.Runtimes.Components;
using Propeller.Proplet.Tasks;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Runtimes.Components;

/// <summary>Components through the whole proplet: start message over MQTT in, result message out.</summary>
public sealed class ComponentPipelineTests(MosquittoBroker broker, ITestOutputHelper output)
    : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_GreetComponentWithWaveInput_PublishesQuotedGreeting()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("g1", "greet", TestComponents.Greet, inputs: ["\"\\\"world\\\"\""]));

        var result = await proplet.ResultAsync("g1");
        Assert.Equal("\"Hello, world!\"", result.Text("results"));
        Assert.Equal(15, result.Text("results")!.Length);
        Assert.Equal(JsonValueKind.Null, result.Payload.GetProperty("error").ValueKind);
        Assert.Equal(proplet.PropletId, result.Text("proplet_id"));
    }

    [Fact]
    public async Task Start_GreetComponentWithUnquotedInput_PublishesParseError()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("g2", "greet", TestComponents.Greet, inputs: ["\"world\""]));

        var result = await proplet.ResultAsync("g2");
        Assert.Equal("", result.Text("results"));
        Assert.StartsWith("Failed to parse WAVE argument 'world'", result.Text("error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CommandComponent_PublishesStdoutAndStderr()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);

        await proplet.StartTaskAsync(Payloads.Start("c1", "_start", TestComponents.Command));

        Assert.Equal(
            "Hello from a WASI P2 component\n\nwarning: this line went to stderr",
            (await proplet.ResultAsync("c1")).Text("results"));
    }

    [Fact]
    public async Task Stop_SpinningComponent_IsCancelledAndThreadEnds()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var runtime = proplet.Service<WasmtimeComponentRuntime>();

        await proplet.StartTaskAsync(Payloads.Start("s1", "spin", TestComponents.Exports));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 1, "the component to run");
        await proplet.StopTaskAsync("s1");

        var result = await proplet.ResultAsync("s1");
        Assert.Equal("Task was cancelled or panicked", result.Text("error"));
        await Eventually.TrueAsync(() => runtime.ActiveExecutions == 0, "the guest thread to end");
        Assert.Equal(0, proplet.Service<RunningTaskTable>().Count);
    }
}
