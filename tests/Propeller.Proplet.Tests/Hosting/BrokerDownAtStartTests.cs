using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Hosting;
using Propeller.Proplet.Tests.Support;
using Propeller.Testing;
using Xunit.Abstractions;

namespace Propeller.Proplet.Tests.Hosting;

public sealed class BrokerDownAtStartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_BrokerDownThenUp_HeartbeatsAndMetricsFlow()
    {
        await using var broker = new MosquittoBroker();
        await broker.InitializeAsync();

        await broker.StopAsync();
        var options = PropletOptions.FromEnvironment(new Dictionary<string, string>
        {
            [PropletVariables.MqttAddress] = broker.Address,
            ["PROPLET_TENANT_ID"] = "T",
            ["PROPLET_CHANNEL_ID"] = "C",
            ["PROPLET_ENTITY_ID"] = "P" + Guid.NewGuid().ToString("N")[..8],
            ["PROPLET_API_KEY"] = "key",
            ["PROPLET_LIVELINESS_INTERVAL"] = "1",
            ["PROPLET_METRICS_INTERVAL"] = "1",
            ["PROPLET_METRICS_ENABLED"] = "false",
            [PropletVariables.ConfigFile] = "/nonexistent/config.toml",
        });
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        using var host = PropletApp.Build(options, logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        await host.StartAsync();

        // Several failed attempts while the heartbeat and metrics loops are already waiting for a connection.
        await Eventually.TrueAsync(() => logs.Entries.Count(e => e.EventId.Id == 101) >= 2, "two failed connects");
        await broker.ResumeAsync();
        var topics = new TopicBuilder("T", "C");
        var seen = new List<string>();
        await using var manager = new PropellerMqttClient(
            new MqttConnectionOptions { Address = broker.Address, ClientId = "manager-" + options.PropletId, Username = "m", Password = "k" },
            NullLogger<PropellerMqttClient>.Instance);
        await manager.SubscribeAsync(
            topics.AllTopics,
            (topic, payload, _) =>
            {
                lock (seen)
                {
                    seen.Add(topics.SuffixOf(topic) + " " + Encoding.UTF8.GetString(payload.Span));
                }

                return Task.CompletedTask;
            },
            CancellationToken.None);
        await manager.StartAsync(waitForConnection: true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        bool Seen(string suffix)
        {
            lock (seen)
            {
                return seen.Any(m => m.StartsWith(suffix + " ", StringComparison.Ordinal));
            }
        }

        await Eventually.TrueAsync(() => Seen("control/proplet/alive") && Seen("control/proplet/metrics"), "a heartbeat and system metrics");
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await host.StopAsync(stopTimeout.Token);
        }

        logs.AssertNoUnexpectedErrors();
    }
}
