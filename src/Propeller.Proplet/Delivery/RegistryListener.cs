using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Proplet.Configuration;
using Propeller.Proplet.Messaging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Delivery;

/// <summary>
/// Receives the proxy's <c>registry/server</c> chunks and <c>registry/status</c> answers for
/// <see cref="RegistryBinarySource"/>. A message that is too big or not of the expected shape is logged as a warning
/// and dropped.
/// </summary>
internal sealed partial class RegistryListener(
    PropellerMqttClient client,
    TopicBuilder topics,
    RegistryBinarySource source,
    PropletOptions options,
    ILogger<RegistryListener> logger)
{
    /// <summary>Registers the subscriptions; the client (re)issues them on every connect.</summary>
    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        await client.SubscribeAsync(topics.RegistryServer, OnChunkAsync, cancellationToken).ConfigureAwait(false);
        await client.SubscribeAsync(topics.RegistryStatus, OnStatusAsync, cancellationToken).ConfigureAwait(false);
    }

    private Task OnChunkAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (TryRead(topic, payload, PropellerJson.Context.ChunkMessage) is { } chunk)
        {
            source.OnChunk(chunk);
        }

        return Task.CompletedTask;
    }

    private Task OnStatusAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (TryRead(topic, payload, PropellerJson.Context.RegistryStatusMessage) is { } status)
        {
            source.OnStatus(status);
        }

        return Task.CompletedTask;
    }

    private T? TryRead<T>(string topic, ReadOnlyMemory<byte> payload, JsonTypeInfo<T> typeInfo)
        where T : class =>
        IncomingMessage.TryRead(topic, payload, typeInfo, options.MqttMaxPacketSize, logger, Log.Oversized, Log.Malformed);

    private static partial class Log
    {
        [LoggerMessage(EventIds.MalformedRegistryMessage, LogLevel.Warning, "Dropping malformed message on {Topic}: {Reason}")]
        public static partial void Malformed(ILogger logger, string topic, string? reason);

        [LoggerMessage(EventIds.OversizedRegistryMessage, LogLevel.Warning, "Dropping message on {Topic}: {Size} bytes exceed PROPLET_MQTT_MAX_PACKET_SIZE ({Limit})")]
        public static partial void Oversized(ILogger logger, string topic, int size, int limit);
    }
}
