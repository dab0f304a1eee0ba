using Microsoft.Extensions.Logging;
using Propeller.Contracts.Configuration;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Diagnostics;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Messaging;

public sealed class ResultPublisherTests(ITestOutputHelper output)
{
    private readonly CapturingLoggerProvider _logs = new(new TestOutputSink(output));

    [Fact]
    public async Task PublishAsync_BrokerComesBack_RetriesUntilPublished()
    {
        await using var broker = new MosquittoBroker();
        await broker.InitializeAsync();

        await broker.StopAsync();
        await using var client = Client(broker.Address);
        await client.StartAsync(waitForConnection: false, CancellationToken.None);

        var publishing = Publisher(client).PublishAsync("t1", "30", null, CancellationToken.None);
        await Eventually.TrueAsync(() => Count(EventIds.ResultPublishFailed) >= 1, "a failed attempt");
        await broker.ResumeAsync();

        Assert.True(await publishing.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, Count(EventIds.ResultDropped));
    }

    [Fact]
    public async Task PublishAsync_ShutdownWhileBrokerIsDown_DropsWithAnError()
    {
        await using var client = Client($"tcp://127.0.0.1:{FreePort.Next()}");
        await client.StartAsync(waitForConnection: false, CancellationToken.None);
        using var shutdown = new CancellationTokenSource();

        var publishing = Publisher(client).PublishAsync("t1", "", "boom", shutdown.Token);
        await Eventually.TrueAsync(() => Count(EventIds.ResultPublishFailed) >= 2, "two failed attempts");
        await shutdown.CancelAsync();

        Assert.False(await publishing.WaitAsync(TimeSpan.FromSeconds(10)));
        var dropped = Assert.Single(_logs.Entries, e => e.EventId.Id == EventIds.ResultDropped);
        Assert.Equal(LogLevel.Error, dropped.Level);
        Assert.Contains("t1", dropped.Message, StringComparison.Ordinal);
    }

    private static PropellerMqttClient Client(string address) => new(
        new MqttConnectionOptions
        {
            Address = address,
            ClientId = "p-" + Guid.NewGuid().ToString("N"),
            Username = "p",
            Password = "k",
            PublishTimeout = TimeSpan.FromMilliseconds(200),
        },
        new LoggerFactory([new CapturingLoggerProvider()]).CreateLogger<PropellerMqttClient>());

    private ResultPublisher Publisher(PropellerMqttClient client) => new(
        client,
        new TopicBuilder("t", "c"),
        new PropletOptions { Credentials = new EntityCredentials("t", "c", "p", "k") },
        new RecentResults(TimeProvider.System),
        new LoggerFactory([_logs]).CreateLogger<ResultPublisher>());

    private int Count(int eventId) => _logs.Entries.Count(e => e.EventId.Id == eventId);
}
