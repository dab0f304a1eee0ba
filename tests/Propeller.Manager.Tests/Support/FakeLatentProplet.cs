using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Propeller.Contracts.Topics;

namespace Propeller.Manager.Tests.Support;

/// <summary>
/// Plays a proplet that holds latent tasks: over its own <see cref="MqttProbe"/> it receives the manager's invokes
/// addressed to it and answers on <c>control/proplet/invoke_results</c> as the Rust proplet does. The answer comes
/// from <see cref="Answer"/>; null means stay silent (the test may answer later with <see cref="ReplyAsync"/>).
/// Assert on what the manager published with a separate probe: this one's recording may hold duplicates.
/// </summary>
internal sealed class FakeLatentProplet : IAsyncDisposable
{
    private readonly ConcurrentQueue<JsonObject> _invokes = new();
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    private FakeLatentProplet(string id, MqttProbe probe)
    {
        Id = id;
        Probe = probe;
    }

    public string Id { get; }

    public MqttProbe Probe { get; }

    /// <summary>Maps a received invoke to <c>(results, error)</c>; null leaves it unanswered.</summary>
    public Func<JsonObject, (string Results, string? Error)?> Answer { get; set; } = _ => null;

    /// <summary>The invokes addressed to this proplet, in arrival order.</summary>
    public IReadOnlyList<JsonObject> Invokes => [.. _invokes];

    public static async Task<FakeLatentProplet> StartAsync(ManagerTestHost host, string? id = null)
    {
        id ??= Guid.NewGuid().ToString();
        await host.AddPropletAsync(id, TimeSpan.Zero);
        var probe = await host.ConnectProbeAsync();
        var proplet = new FakeLatentProplet(id, probe);
        await probe.Client.SubscribeAsync(host.Topics.ManagerInvoke, proplet.OnInvokeAsync, CancellationToken.None);
        return proplet;
    }

    /// <summary>Publishes the Rust proplet's invoke result for <paramref name="invoke"/>.</summary>
    public Task ReplyAsync(JsonObject invoke, string results, string? error = null)
    {
        var reply = new JsonObject
        {
            ["task_id"] = invoke["id"]!.GetValue<string>(),
            ["invocation_id"] = invoke["invocation_id"]!.GetValue<string>(),
            ["proplet_id"] = Id,
            ["results"] = results,
            ["error"] = error,
        };
        return Probe.PublishAsync(TopicSuffixes.PropletInvokeResults, reply.ToJsonString());
    }

    public ValueTask DisposeAsync() => Probe.DisposeAsync();

    private async Task OnInvokeAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (JsonNode.Parse(Encoding.UTF8.GetString(payload.Span)) is not JsonObject invoke
            || invoke["proplet_id"]?.GetValue<string>() != Id
            || !_seen.TryAdd(invoke["invocation_id"]?.GetValue<string>() ?? "", true))
        {
            // Not ours, or a second copy: the broker may deliver once per matching subscription of this client.
            return;
        }

        _invokes.Enqueue(invoke);
        if (Answer(invoke) is { } answer)
        {
            await ReplyAsync(invoke, answer.Results, answer.Error);
        }
    }
}
