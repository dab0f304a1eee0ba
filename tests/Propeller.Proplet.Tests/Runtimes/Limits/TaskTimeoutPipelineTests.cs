using Propeller.Proplet.Configuration;
using Propeller.Proplet.Tests.Support;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Runtimes.Limits;

/// <summary>A start message's <c>timeout_ms</c> and the proplet's limits, through the real proplet pipeline.</summary>
public sealed class TaskTimeoutPipelineTests(MosquittoBroker broker, ITestOutputHelper output)
    : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task Start_WithTimeoutMs_PublishesTimeLimitErrorAndKeepsServing()
    {

        await using var proplet = await PropletHarness.StartAsync(broker, output);
        var file = Convert.ToBase64String(LimitWasm.Spin);

        await proplet.StartTaskAsync(
            $$"""{"id":"slow","name":"spin","state":0,"file":"{{file}}","cli_args":null,"broadcast":false,"daemon":false,"latent":false,"encrypted":false,"proplet_id":"{{proplet.PropletId}}","timeout_ms":250}""");

        var result = await proplet.ResultAsync("slow");
        Assert.Equal("task exceeded its time limit of 250 ms", result.Text("error"));
        Assert.Equal("30", (await proplet.RunAddAsync("after")).Text("results"));
    }

    [Fact]
    public async Task Start_GuestOverMemoryLimit_PublishesMemoryErrorAndKeepsServing()
    {

        await using var proplet = await PropletHarness.StartAsync(
            broker, output, new Dictionary<string, string> { [PropletVariables.MaxMemoryBytes] = "1048576" });

        await proplet.StartTaskAsync(Payloads.Start("hog", "hog", LimitWasm.Hog, propletId: proplet.PropletId));

        var result = await proplet.ResultAsync("hog");
        Assert.StartsWith("task exceeded its memory limit of 1048576 bytes", result.Text("error"), StringComparison.Ordinal);
        Assert.Equal("30", (await proplet.RunAddAsync("after")).Text("results"));
    }
}
