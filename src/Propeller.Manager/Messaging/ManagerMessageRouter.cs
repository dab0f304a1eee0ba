using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Serialization;
using Propeller.Contracts.Topics;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Messaging;

/// <summary>
/// Handles everything under <c>{base}/#</c> (manager-reference §3.2, §3.3), dispatching on the exact topic suffix.
/// A bad message (malformed JSON, wrong types, a missing id, an unknown task) is logged as a warning and dropped;
/// the manager's own messages and its own Last Will are ignored.
/// </summary>
internal sealed partial class ManagerMessageRouter(
    TopicBuilder topics,
    string ownEntityId,
    PropletReports proplets,
    TaskReports tasks,
    PendingInvocations invocations,
    ILogger<ManagerMessageRouter> logger)
{
    private const int PreviewChars = 512;

    /// <summary>
    /// Only what proplets report. The original subscribed to the whole channel (<c>P/#</c>) and so also received
    /// every proxy chunk (hundreds of KB each) only to ignore it.
    /// </summary>
    public string TopicFilter => topics.For("control/proplet/+");

    public async Task HandleAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var suffix = topics.SuffixOf(topic);
        try
        {
            switch (suffix)
            {
                case TopicSuffixes.PropletCreate:
                    await HandleDiscoveryAsync(suffix, payload, cancellationToken).ConfigureAwait(false);
                    break;
                case TopicSuffixes.PropletAlive:
                    await HandleHeartbeatAsync(suffix, payload, cancellationToken).ConfigureAwait(false);
                    break;
                case TopicSuffixes.PropletResults:
                    await HandleResultAsync(suffix, payload, cancellationToken).ConfigureAwait(false);
                    break;
                case TopicSuffixes.PropletMetrics:
                    await HandlePropletMetricsAsync(suffix, payload, cancellationToken).ConfigureAwait(false);
                    break;
                case TopicSuffixes.PropletTaskMetrics:
                    await HandleTaskMetricsAsync(suffix, payload, cancellationToken).ConfigureAwait(false);
                    break;
                case TopicSuffixes.PropletInvokeResults:
                    HandleInvokeResult(suffix, payload);
                    break;
                default:
                    // Commands the manager itself sends, proxy traffic and FL topics: not ours to handle here.
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.MessageHandlingFailed(logger, suffix ?? topic, Preview(payload), ex);
        }
    }

    private async Task HandleDiscoveryAsync(string suffix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.DiscoveryMessage) is { } discovery
            && HasPropletId(suffix, discovery.PropletId) && !IsOwn(suffix, discovery.PropletId))
        {
            await proplets.RecordDiscoveryAsync(discovery, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleHeartbeatAsync(string suffix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.HeartbeatMessage) is { } heartbeat
            && HasPropletId(suffix, heartbeat.PropletId) && !IsOwn(suffix, heartbeat.PropletId))
        {
            await proplets.RecordHeartbeatAsync(heartbeat, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleResultAsync(string suffix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.ResultMessage) is not { } result)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(result.TaskId))
        {
            Log.MissingField(logger, suffix, "task_id", Preview(payload));
            return;
        }

        try
        {
            await tasks.RecordResultAsync(result, cancellationToken).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            Log.ResultForUnknownTask(logger, result.TaskId, result.PropletId ?? "", Preview(payload));
        }
    }

    /// <summary>
    /// Hands an invoke answer to the request waiting for it. Without an invocation id there is nobody to hand it
    /// to, as in the original; an answer nobody waits for (it came after the timeout) is dropped quietly.
    /// </summary>
    private void HandleInvokeResult(string suffix, ReadOnlyMemory<byte> payload)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.InvokeResultMessage) is not { } result)
        {
            return;
        }

        if (string.IsNullOrEmpty(result.InvocationId))
        {
            Log.InvokeResultWithoutInvocationId(logger, result.TaskId, result.PropletId);
            return;
        }

        if (!invocations.TryComplete(result))
        {
            Log.InvokeResultForUnknownInvocation(logger, result.InvocationId, result.TaskId, result.PropletId);
        }
    }

    private async Task HandlePropletMetricsAsync(string suffix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.PropletMetricsMessage) is not { } metrics
            || !HasPropletId(suffix, metrics.PropletId) || IsOwn(suffix, metrics.PropletId))
        {
            return;
        }

        try
        {
            await proplets.RecordMetricsAsync(metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            Log.MetricsForUnknownProplet(logger, metrics.PropletId);
        }
    }

    private async Task HandleTaskMetricsAsync(string suffix, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Parse(suffix, payload, PropellerJsonContext.Default.TaskMetricsMessage) is not { } metrics)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(metrics.TaskId))
        {
            Log.MissingField(logger, suffix, "task_id", Preview(payload));
            return;
        }

        try
        {
            await tasks.RecordMetricsAsync(metrics, cancellationToken).ConfigureAwait(false);
        }
        catch (EntityNotFoundException)
        {
            Log.MetricsForUnknownTask(logger, metrics.TaskId, metrics.PropletId);
        }
    }

    /// <summary>
    /// Parses a JSON object, or logs why not. A <c>timestamp</c> that is neither a string nor an object (the
    /// embedded proplet sends its uptime as a number) is dropped so the receive time is used, as the original does.
    /// </summary>
    private T? Parse<T>(string suffix, ReadOnlyMemory<byte> payload, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (PropellerJson.TryParse(payload.Span, typeInfo, out var value, out var error))
        {
            return value;
        }

        if (TryParseWithoutTimestamp(payload, typeInfo) is { } withoutTimestamp)
        {
            return withoutTimestamp;
        }

        Log.MalformedMessage(logger, suffix, error ?? "invalid JSON", Preview(payload));
        return null;
    }

    private static T? TryParseWithoutTimestamp<T>(ReadOnlyMemory<byte> payload, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            if (JsonNode.Parse(payload.Span) is JsonObject json
                && json["timestamp"] is JsonValue { } timestamp
                && timestamp.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Object))
            {
                json.Remove("timestamp");
                return json.Deserialize(typeInfo);
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // Malformed beyond the timestamp (a JsonObject throws ArgumentException on a repeated key); the
            // caller reports the original error as a warning.
        }

        return null;
    }

    private bool HasPropletId(string suffix, string propletId)
    {
        if (!string.IsNullOrWhiteSpace(propletId))
        {
            return true;
        }

        Log.MissingField(logger, suffix, "proplet_id", "");
        return false;
    }

    private bool IsOwn(string suffix, string propletId)
    {
        if (!string.Equals(propletId, ownEntityId, StringComparison.Ordinal))
        {
            return false;
        }

        Log.OwnMessageIgnored(logger, suffix);
        return true;
    }

    private static string Preview(ReadOnlyMemory<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload.Span[..Math.Min(payload.Length, PreviewChars * 4)]);
        return text.Length <= PreviewChars ? text : string.Concat(text.AsSpan(0, PreviewChars), "…");
    }
}
