using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Messaging;

public sealed class MqttClientReconnectTests(ITestOutputHelper output)
{
    private readonly CapturingLoggerProvider _logs = new(new TestOutputSink(output));

    [Fact]
    public async Task Start_BrokerDownThenUp_StaysConnectedWithoutRetrying()
    {
        await using var broker = new MosquittoBroker();
        await broker.InitializeAsync();

        await broker.StopAsync();
        await using var client = Client(broker.Address);
        await client.StartAsync(waitForConnection: false, CancellationToken.None);
        await Eventually.TrueAsync(() => _logs.Entries.Any(e => e.EventId.Id == 101), "a failed connect");
        await broker.ResumeAsync();
        await client.WaitForConnectionAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var connectedAt = DateTimeOffset.UtcNow;

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 101 && e.Time > connectedAt);
        Assert.True(client.IsConnected);
    }

    private PropellerMqttClient Client(string address) => new(
        new MqttConnectionOptions
        {
            Address = address,
            ClientId = "p-" + Guid.NewGuid().ToString("N"),
            Username = "p",
            Password = "k",
        },
        new LoggerFactory([_logs]).CreateLogger<PropellerMqttClient>());
}
