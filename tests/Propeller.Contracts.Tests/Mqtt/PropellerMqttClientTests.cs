using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Mqtt;
using Propeller.Testing;

namespace Propeller.Contracts.Tests.Mqtt;

public sealed class PropellerMqttClientTests
{
    [Fact]
    public async Task StartAsync_BrokerDown_KeepsTryingWithoutThrowing()
    {
        await using var client = NewClient(FreePort.Next());

        await client.StartAsync(waitForConnection: false, CancellationToken.None);

        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task PublishAsync_NeverConnected_FailsWithClearErrorAfterTimeout()
    {
        await using var client = NewClient(FreePort.Next(), publishTimeout: TimeSpan.FromMilliseconds(300));
        await client.StartAsync(waitForConnection: false, CancellationToken.None);

        var error = await Assert.ThrowsAsync<MqttPublishException>(() => client.PublishAsync("m/t/c/c/x", new byte[] { 1 }, CancellationToken.None));

        Assert.Contains("not connected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbortAsync_ThenDispose_IsSafeAndReportsDisconnected()
    {
        var client = NewClient(FreePort.Next());
        await client.StartAsync(waitForConnection: false, CancellationToken.None);

        await client.AbortAsync();
        await client.AbortAsync();

        Assert.False(client.IsConnected);
        await client.DisposeAsync();
        await client.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_WhileAHandlerRuns_LetsItFinishUncancelled()
    {

        await using var broker = await MosquittoProcess.StartAsync();
        var client = NewClient(broker.Port);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.SubscribeAsync("m/t/c/c/slow", async (_, _, ct) =>
        {
            started.SetResult();
            await Task.Delay(300, CancellationToken.None);
            finished.SetResult(ct.IsCancellationRequested);
        }, CancellationToken.None);
        await client.StartAsync(waitForConnection: true, CancellationToken.None);

        await client.PublishAsync("m/t/c/c/slow", new byte[] { 1 }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await client.DisposeAsync();

        Assert.True(finished.Task.IsCompleted, "dispose returned before the running handler finished");
        Assert.False(await finished.Task, "the handler's token was cancelled although it finished in time");
    }

    private static PropellerMqttClient NewClient(int port, TimeSpan? publishTimeout = null) => new(
        new MqttConnectionOptions
        {
            Address = $"tcp://127.0.0.1:{port}",
            ClientId = "c1",
            Username = "c1",
            Password = "k",
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(30),
        },
        NullLogger<PropellerMqttClient>.Instance);
}
