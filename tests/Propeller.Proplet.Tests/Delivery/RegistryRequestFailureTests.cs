using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Tasks;
using Propeller.Testing;

namespace Propeller.Proplet.Tests.Delivery;

/// <summary>A fetch request that cannot be published (no broker) fails the task, and every task that joined it.</summary>
public sealed class RegistryRequestFailureTests
{
    [Fact]
    public async Task AcquireAsync_RequestCannotBePublished_FailsEveryWaiterWithThePublishError()
    {
        // Never started: every publish waits for a connection that does not come.
        await using var client = new PropellerMqttClient(
            new MqttConnectionOptions
            {
                Address = $"tcp://127.0.0.1:{FreePort.Next()}",
                ClientId = "offline",
                Username = "offline",
                Password = "key",
                PublishTimeout = TimeSpan.FromMilliseconds(500),
            },
            NullLogger<PropellerMqttClient>.Instance);
        var options = new DeliveryOptions { BinaryCacheBytes = 0 };
        using var source = new RegistryBinarySource(
            client,
            new TopicBuilder("t", "c"),
            options,
            new BinaryCache(options, NullLogger<BinaryCache>.Instance),
            new BinarySourceIndex(options),
            new PropletMetrics(),
            TimeProvider.System,
            NullLogger<RegistryBinarySource>.Instance);
        const string app = "registry.test/wasm/add:v1";

        var first = source.AcquireAsync(app, CancellationToken.None);
        await Eventually.TrueAsync(() => source.Waiting == 1, "the first waiter");
        var second = source.AcquireAsync(app, CancellationToken.None);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => first);
        var joined = await Assert.ThrowsAsync<TaskFailedException>(() => second);
        Assert.Equal(
            $"could not request {app} from the proxy: publish to 'm/t/c/c/registry/proplet' timed out after 0.5 s: not connected to the broker",
            error.Message);
        Assert.Equal(error.Message, joined.Message);
        Assert.Equal(0, source.Waiting);
    }
}
