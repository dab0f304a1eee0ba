using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proxy.Configuration;
using Propeller.Proxy.Hosting;
using Propeller.Proxy.Tests.Support;
using Propeller.Testing;
using Propeller.Testing.Registry;
using Xunit.Abstractions;

namespace Propeller.Proxy.Tests.Hosting;

/// <summary>The proxy behind Mosquitto instead of the embedded broker: any MQTT 3.1.1 broker can carry the fetch protocol.</summary>
public sealed class MosquittoCompatibilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Request_ThroughMosquitto_IsAnsweredWithChunks()
    {
        await using var mosquitto = await MosquittoProcess.StartAsync();
        await using var registry = await RegistryProcess.StartAsync();
        var logs = new CapturingLoggerProvider(new TestOutputSink(output));
        var wasm = WasmArtifacts.Module(600_000, seed: 12);
        var digest = await WasmArtifacts.PushAsync(registry, "apps/mosquitto", "v1", wasm);
        var appName = $"{registry.Host}/apps/mosquitto:v1";
        var topics = new TopicBuilder("tenant-m", "channel-m");
        var options = ProxyOptions.FromEnvironment(new Dictionary<string, string>
        {
            [ProxyVariables.TenantId] = "tenant-m",
            [ProxyVariables.ChannelId] = "channel-m",
            [ProxyVariables.EntityId] = "proxy-m",
            [ProxyVariables.ApiKey] = "unused",
            [ProxyVariables.MqttAddress] = mosquitto.Address,
            [ProxyVariables.HttpHost] = "127.0.0.1",
            [ProxyVariables.HttpPort] = "0",
            [ProxyVariables.MqttQos] = "1",
        });
        var proxy = ProxyApp.Build(options, logging => logging.AddProvider(logs));
        await proxy.StartAsync();
        await using var proplet = new PropellerMqttClient(
            new MqttConnectionOptions { Address = mosquitto.Address, ClientId = "proplet-m", Username = "proplet-m", Password = "unused" },
            new LoggerFactory([logs]).CreateLogger<PropellerMqttClient>());
        try
        {
            var chunks = new ConcurrentQueue<ChunkMessage>();
            await proplet.SubscribeAsync(topics.RegistryServer, (_, payload, _) =>
            {
                chunks.Enqueue(PropellerJson.Parse(payload.Span, PropellerJson.Context.ChunkMessage));
                return Task.CompletedTask;
            }, CancellationToken.None);
            using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            {
                await proplet.StartAsync(waitForConnection: true, connect.Token);
            }

            await Eventually.TrueAsync(() => ProxyApp.Metrics(proxy).MqttConnects > 0, "the proxy to connect to mosquitto");

            await proplet.PublishAsync(topics.RegistryProplet, new FetchRequestMessage { AppName = appName }, PropellerJson.Context.FetchRequestMessage, CancellationToken.None);

            await Eventually.TrueAsync(() => chunks.Count >= 2, "two chunks");
            var ordered = chunks.OrderBy(c => c.ChunkIdx).ToList();
            Assert.Equal(wasm, ordered.SelectMany(c => Convert.FromBase64String(c.Data)).ToArray());
            Assert.All(ordered, c => Assert.Equal(digest, c.Digest));
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await proxy.StopAsync(stop.Token);
            await proxy.DisposeAsync();
        }

        logs.AssertNoUnexpectedErrors();
    }
}
