using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Delivery;
using Propeller.Proplet.Tasks;

namespace Propeller.Proplet.Messaging;

/// <summary>
/// Receives the manager's <c>start</c>, <c>stop</c> and <c>invoke</c> commands. A message that is too big, not JSON, or of the
/// wrong shape is logged as a warning and dropped; it never reaches the task pipeline.
/// </summary>
internal sealed partial class ManagerCommandListener(
    PropellerMqttClient client,
    TopicBuilder topics,
    TaskSupervisor supervisor,
    LatentTaskInvoker invoker,
    RegistryListener registry,
    PropletOptions options,
    ILogger<ManagerCommandListener> logger)
{
    /// <summary>Registers the subscriptions; the client (re)issues them on every connect.</summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        await client.SubscribeAsync(topics.ManagerStart, OnStartAsync, cancellationToken).ConfigureAwait(false);
        await client.SubscribeAsync(topics.ManagerStop, OnStopAsync, cancellationToken).ConfigureAwait(false);
        await client.SubscribeAsync(topics.ManagerInvoke, OnInvokeAsync, cancellationToken).ConfigureAwait(false);
        if (ListensDirectly(options))
        {
            await client.SubscribeAsync(topics.ManagerStartFor(options.PropletId), OnStartAsync, cancellationToken).ConfigureAwait(false);
            await client.SubscribeAsync(topics.ManagerStopFor(options.PropletId), OnStopAsync, cancellationToken).ConfigureAwait(false);
        }

        // The proxy's answers: registry/server chunks and registry/status.
        await registry.SubscribeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether this proplet also takes commands on its own start and stop topics (and so announces
    /// <c>direct_control</c>): a manager then sends a command meant for it alone there, not to the whole channel.
    /// </summary>
    public static bool ListensDirectly(PropletOptions options) => TopicBuilder.IsTopicSafe(options.PropletId);

    private Task OnStartAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        TryRead(topic, payload, PropellerJson.Context.StartMessage) is { } start
            ? supervisor.HandleStartAsync(start)
            : Task.CompletedTask;

    private Task OnInvokeAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        TryRead(topic, payload, PropellerJson.Context.InvokeMessage) is { } invoke
            ? invoker.HandleInvokeAsync(invoke)
            : Task.CompletedTask;

    private Task OnStopAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (TryRead(topic, payload, PropellerJson.Context.StopMessage) is { } stop)
        {
            supervisor.HandleStop(stop);
        }

        return Task.CompletedTask;
    }

    private T? TryRead<T>(string topic, ReadOnlyMemory<byte> payload, JsonTypeInfo<T> typeInfo)
        where T : class =>
        IncomingMessage.TryRead(topic, payload, typeInfo, options.MqttMaxPacketSize, logger, Log.OversizedMessage, Log.MalformedMessage);

    private static partial class Log
    {
        [LoggerMessage(Diagnostics.EventIds.MalformedMessage, LogLevel.Warning, "Dropping malformed message on {Topic}: {Reason}")]
        public static partial void MalformedMessage(ILogger logger, string topic, string? reason);

        [LoggerMessage(Diagnostics.EventIds.OversizedMessage, LogLevel.Warning, "Dropping message on {Topic}: {Size} bytes exceed PROPLET_MQTT_MAX_PACKET_SIZE ({Limit})")]
        public static partial void OversizedMessage(ILogger logger, string topic, int size, int limit);
    }
}
