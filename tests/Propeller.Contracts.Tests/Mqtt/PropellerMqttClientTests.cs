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

    [Fact]
    public async Task PublishAsync_CancelledWhileInFlightFromManyCallers_LeavesTheConnectionWhole()
    {
        await using var broker = await MosquittoProcess.StartAsync();
        await using var client = NewClient(broker.Port);
        var watch = await ConnectionWatch.StartAsync(client);

        // Cancellation lands at every point of a publish: before, during and after its bytes are written. A cancel
        // between two writes of one packet used to leave half a packet on the wire (a stall, then a protocol error).
        // A cancelled publish still goes out (that is the point), so the callers are bounded to keep the backlog small.
        var payload = new byte[300];
        await Task.WhenAll(Enumerable.Range(0, 6).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            for (var i = 0; i < 250; i++)
            {
                using var cancel = new CancellationTokenSource();
                var publish = client.PublishAsync("m/t/c/c/noise", payload, cancel.Token);
                Thread.SpinWait(random.Next(0, 2000));
                await cancel.CancelAsync();
                try
                {
                    await publish;
                }
                catch (OperationCanceledException)
                {
                    // Expected for most of them.
                }
            }
        })));

        await watch.RoundTripAsync();
        Assert.Equal(1, watch.Connects);
    }

    [Fact]
    public async Task PublishAsync_ManyAtOnceAtQos2ToMosquitto_EveryMessageArrives()
    {
        // Mosquitto acknowledges but drops QoS 2 messages past its in-flight window (20) from a 3.1.1 client.
        await using var broker = await MosquittoProcess.StartAsync();
        await using var client = NewClient(broker.Port);
        var received = new System.Collections.Concurrent.ConcurrentDictionary<byte, bool>();
        await client.SubscribeAsync("m/t/c/c/burst", (_, payload, _) =>
        {
            received.TryAdd(payload.Span[0], true);
            return Task.CompletedTask;
        }, CancellationToken.None);
        await client.StartAsync(waitForConnection: true, CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.PublishAsync("m/t/c/c/burst", new[] { (byte)i }, CancellationToken.None)));

        await Eventually.TrueAsync(() => received.Count == 100, "all 100 messages", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task PublishAsync_BrokerStopsAnswering_FailsAtTheTimeoutThenReconnects()
    {
        await using var broker = await MosquittoProcess.StartAsync();
        await using var client = NewClient(broker.Port, publishTimeout: TimeSpan.FromSeconds(1), connectTimeout: TimeSpan.FromSeconds(1));
        var watch = await ConnectionWatch.StartAsync(client);

        await broker.FreezeAsync();
        try
        {
            var error = await Assert.ThrowsAsync<MqttPublishException>(
                () => client.PublishAsync("m/t/c/c/lost", new byte[] { 1 }, CancellationToken.None));
            Assert.Contains("not acknowledged", error.Message, StringComparison.Ordinal);
            await Eventually.TrueAsync(() => !client.IsConnected, "the unresponsive connection to be dropped");
        }
        finally
        {
            await broker.ThawAsync();
        }

        await Eventually.TrueAsync(() => watch.Connects == 2, "a fresh connection once the broker answers");
        await watch.RoundTripAsync();
    }

    /// <summary>Counts a client's connects and proves, by a message to itself, that its connection carries traffic.</summary>
    private sealed class ConnectionWatch
    {
        private readonly PropellerMqttClient _client;
        private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _connects;

        private ConnectionWatch(PropellerMqttClient client) => _client = client;

        public int Connects => Volatile.Read(ref _connects);

        public static async Task<ConnectionWatch> StartAsync(PropellerMqttClient client)
        {
            var watch = new ConnectionWatch(client);
            client.Connected += () =>
            {
                Interlocked.Increment(ref watch._connects);
                return Task.CompletedTask;
            };
            await client.SubscribeAsync("m/t/c/c/check", (_, _, _) =>
            {
                watch._received.TrySetResult();
                return Task.CompletedTask;
            }, CancellationToken.None);
            await client.StartAsync(waitForConnection: true, CancellationToken.None);
            return watch;
        }

        public async Task RoundTripAsync()
        {
            await _client.PublishAsync("m/t/c/c/check", new byte[] { 1 }, CancellationToken.None);
            await _received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static PropellerMqttClient NewClient(int port, TimeSpan? publishTimeout = null, TimeSpan? connectTimeout = null) => new(
        new MqttConnectionOptions
        {
            Address = $"tcp://127.0.0.1:{port}",
            ClientId = "c1",
            Username = "c1",
            Password = "k",
            PublishTimeout = publishTimeout ?? TimeSpan.FromSeconds(30),
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10),
        },
        NullLogger<PropellerMqttClient>.Instance);
}
