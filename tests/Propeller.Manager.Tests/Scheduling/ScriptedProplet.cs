using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Topics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tests.Support;

namespace Propeller.Manager.Tests.Scheduling;

/// <summary>
/// Plays a proplet for the scheduling tests: registered with the given metadata and a heartbeat at the manager's
/// clock, it records the starts addressed to it and, when <see cref="Complete"/> is set, answers each with a result.
/// </summary>
internal sealed class ScriptedProplet : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _started = new();
    private readonly ManagerTestHost _host;

    private readonly PropellerMqttClient _client;

    private ScriptedProplet(ManagerTestHost host, string id, PropellerMqttClient client) => (_host, Id, _client) = (host, id, client);

    public string Id { get; }

    /// <summary>Answer every start with a successful result at once.</summary>
    public bool Complete { get; set; }

    /// <summary>Task ids of the starts received, in order.</summary>
    public IReadOnlyList<string> Started => [.. _started];

    public static async Task<ScriptedProplet> StartAsync(ManagerTestHost host, PropletMetadata? metadata = null, bool complete = false)
    {
        var id = Guid.NewGuid().ToString();
        await host.Store.Proplets.CreateAsync(new Proplet { Id = id, Name = PropletNames.Next(), Metadata = metadata }, CancellationToken.None);
        var client = new PropellerMqttClient(
            new MqttConnectionOptions { Address = host.BrokerAddress, ClientId = "scripted-" + id, Username = id, Password = "unused" },
            NullLogger<PropellerMqttClient>.Instance);
        var proplet = new ScriptedProplet(host, id, client) { Complete = complete };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.StartAsync(waitForConnection: true, timeout.Token);
        await proplet.HeartbeatAsync();
        await client.SubscribeAsync(host.Topics.ManagerStart, proplet.OnStartAsync, timeout.Token);
        return proplet;
    }

    /// <summary>Records a heartbeat at the manager's current time.</summary>
    public Task HeartbeatAsync() =>
        _host.Store.Proplets.RecordHeartbeatAsync(Id, _host.Service<TimeProvider>().GetUtcNow(), CancellationToken.None);

    /// <summary>Publishes this proplet's Last Will, as the broker does when its connection drops.</summary>
    public Task GoOfflineAsync() =>
        PublishAsync(TopicSuffixes.PropletAlive, new JsonObject { ["status"] = "offline", ["proplet_id"] = Id, ["namespace"] = "" });

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private Task PublishAsync(string suffix, JsonObject payload) =>
        _client.PublishAsync(_host.Topics.For(suffix), Encoding.UTF8.GetBytes(payload.ToJsonString()), CancellationToken.None);

    private async Task OnStartAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (JsonNode.Parse(Encoding.UTF8.GetString(payload.Span)) is not JsonObject start || start["proplet_id"]?.GetValue<string>() != Id)
        {
            return;
        }

        var taskId = start["id"]!.GetValue<string>();
        _started.Enqueue(taskId);
        if (Complete)
        {
            var result = new JsonObject { ["task_id"] = taskId, ["proplet_id"] = Id, ["results"] = "ok" };
            await PublishAsync(TopicSuffixes.PropletResults, result);
        }
    }
}
