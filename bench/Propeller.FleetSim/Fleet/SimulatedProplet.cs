using System.Buffers;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Propeller.Contracts.Topics;

namespace Propeller.FleetSim.Fleet;

/// <summary>
/// A proplet reduced to its wire behaviour: one raw MQTTnet connection that announces itself, heartbeats, and answers
/// a start addressed to it with a canned result. No runtime, no host, so thousands fit in one process.
/// </summary>
internal sealed class SimulatedProplet : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly TopicBuilder _topics;
    private readonly byte[] _idBytes;
    private readonly byte[] _heartbeat;
    private int _heartbeatsSent;
    private int _heartbeatsFailed;
    private bool _counting;

    private SimulatedProplet(IMqttClient client, TopicBuilder topics, string id)
    {
        _client = client;
        _topics = topics;
        Id = id;
        _idBytes = Encoding.UTF8.GetBytes($"\"{id}\"");
        _heartbeat = Encoding.UTF8.GetBytes($$"""{"proplet_id":"{{id}}","status":"alive","namespace":"default"}""");
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
    }

    public string Id { get; }

    /// <summary>Heartbeats published while <see cref="Counting"/> was true.</summary>
    public int HeartbeatsSent => Volatile.Read(ref _heartbeatsSent);

    /// <summary>Heartbeats whose publish failed (timed out or lost the connection), whenever sent.</summary>
    public int HeartbeatsFailed => Volatile.Read(ref _heartbeatsFailed);

    public bool Counting
    {
        get => Volatile.Read(ref _counting);
        set => Volatile.Write(ref _counting, value);
    }

    /// <param name="directControl">Subscribe to its own start topic too and announce <c>direct_control</c>, as our proplet does.</param>
    public static async Task<SimulatedProplet> ConnectAsync(
        MqttClientFactory factory, int port, TopicBuilder topics, string id, string apiKey, bool directControl, CancellationToken ct)
    {
        var client = factory.CreateMqttClient();
        var proplet = new SimulatedProplet(client, topics, id);
        try
        {
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithProtocolVersion(MqttProtocolVersion.V311)
                .WithClientId(id)
                .WithCredentials(id, apiKey)
                .WithCleanSession(true)

                // Thousands of clients: pings every 15 s (the default) would be a load of their own.
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(120))
                .WithTimeout(TimeSpan.FromSeconds(60))
                .Build();
            await client.ConnectAsync(options, ct).ConfigureAwait(false);
            var subscriptions = factory.CreateSubscribeOptionsBuilder().WithTopicFilter(topics.ManagerStart, MqttQualityOfServiceLevel.AtLeastOnce);
            if (directControl)
            {
                subscriptions.WithTopicFilter(topics.ManagerStartFor(id), MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await client.SubscribeAsync(subscriptions.Build(), ct).ConfigureAwait(false);
            var direct = directControl ? ""","direct_control":true""" : "";
            var discovery = Encoding.UTF8.GetBytes(
                $$$"""{"proplet_id":"{{{id}}}","namespace":"default","metadata":{"description":"fleetsim","proplet_version":"0.1.0"}{{{direct}}}}""");
            await PublishAsync(client, topics.PropletCreate, discovery, ct).ConfigureAwait(false);
            return proplet;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Heartbeats every <paramref name="interval"/>, the first after <paramref name="phase"/>, until cancelled.</summary>
    public async Task HeartbeatAsync(TimeSpan phase, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            await SendHeartbeatAsync(ct).ConfigureAwait(false);
            await Task.Delay(phase, ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval);
            do
            {
                await SendHeartbeatAsync(ct).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // Already gone; disposal is all that is left.
        }

        _client.Dispose();
    }

    private static Task PublishAsync(IMqttClient client, string topic, byte[] payload, CancellationToken ct) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    private async Task SendHeartbeatAsync(CancellationToken ct)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        var counting = Counting;
        try
        {
            await PublishAsync(_client, _topics.PropletAlive, _heartbeat, ct).ConfigureAwait(false);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // An overloaded broker did not acknowledge in time; the manager may see this proplet die, which is the finding.
            Interlocked.Increment(ref _heartbeatsFailed);
            return;
        }

        if (counting)
        {
            Interlocked.Increment(ref _heartbeatsSent);
        }
    }

    /// <summary>
    /// A channel-wide start reaches every proplet; a byte search skips the ones for others cheaply. A start on the
    /// proplet's own topic is for it by construction.
    /// </summary>
    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var payload = e.ApplicationMessage.Payload;
        var bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        if (bytes.Span.IndexOf(_idBytes) < 0)
        {
            return;
        }

        string? taskId;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (!root.TryGetProperty("proplet_id", out var target) || target.GetString() != Id || !root.TryGetProperty("id", out var id))
            {
                return;
            }

            taskId = id.GetString();
        }
        catch (JsonException)
        {
            return;
        }

        var result = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
        {
            ["task_id"] = taskId,
            ["proplet_id"] = Id,
            ["results"] = "30",
            ["error"] = null,
        });
        try
        {
            await PublishAsync(_client, _topics.PropletResults, result, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The task stays unfinished at the manager and is reported as such.
        }
    }
}
