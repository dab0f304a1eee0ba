using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// A second MQTT client on the manager's channel: it plays the proplet (publishing exactly what the original
/// Rust proplet sends) and records everything published on the channel.
/// </summary>
internal sealed class MqttProbe : IAsyncDisposable
{
    private readonly PropellerMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly ConcurrentQueue<(string Suffix, string Payload, DateTimeOffset At)> _received = new();

    private MqttProbe(PropellerMqttClient client, TopicBuilder topics)
    {
        _client = client;
        _topics = topics;
    }

    public PropellerMqttClient Client => _client;

    public static async Task<MqttProbe> ConnectAsync(string address, TopicBuilder topics, string clientId, MqttWill? will = null)
    {
        var client = new PropellerMqttClient(
            new MqttConnectionOptions { Address = address, ClientId = clientId, Username = clientId, Password = "unused", Will = will },
            NullLogger<PropellerMqttClient>.Instance);
        var probe = new MqttProbe(client, topics);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.StartAsync(waitForConnection: true, timeout.Token);
        await client.SubscribeAsync(topics.AllTopics, probe.OnMessageAsync, timeout.Token);
        return probe;
    }

    public Task PublishAsync(string suffix, string payload) =>
        _client.PublishAsync(_topics.For(suffix), Encoding.UTF8.GetBytes(payload), CancellationToken.None);

    public IReadOnlyList<JsonObject> Messages(string suffix) =>
        _received.Where(m => m.Suffix == suffix).Select(m => JsonNode.Parse(m.Payload)!.AsObject()).ToList();

    /// <summary>When each message on <paramref name="suffix"/> arrived.</summary>
    public IReadOnlyList<DateTimeOffset> ArrivalTimes(string suffix) =>
        _received.Where(m => m.Suffix == suffix).Select(m => m.At).ToList();

    public Task<JsonObject> WaitForAsync(string suffix, Func<JsonObject, bool>? match = null) =>
        Eventually.ValueAsync(
            () => Task.FromResult(Messages(suffix).FirstOrDefault(m => match?.Invoke(m) ?? true)),
            _ => true,
            $"a message on {suffix}");

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    private Task OnMessageAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (_topics.SuffixOf(topic) is { } suffix)
        {
            var text = Encoding.UTF8.GetString(payload.Span);
            try
            {
                if (JsonNode.Parse(text) is JsonObject)
                {
                    _received.Enqueue((suffix, text, DateTimeOffset.UtcNow));
                }
            }
            catch (JsonException)
            {
                // Tests publish malformed payloads on purpose; only JSON objects are recorded.
            }
        }

        return Task.CompletedTask;
    }
}
